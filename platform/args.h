/* Arguments of the firmware images run in QEMU: "key=value" words on the semihosting command
 * line. */
#ifndef MCUBPF_PLATFORM_ARGS_H
#define MCUBPF_PLATFORM_ARGS_H

#include <string.h>

/* The value of key=value among argv[1..argc), or NULL. */
static inline const char *board_arg(int argc, char **argv, const char *key)
{
    size_t n = strlen(key);
    for (int i = 1; i < argc; i++)
        if (argv[i] && !strncmp(argv[i], key, n) && argv[i][n] == '=')
            return argv[i] + n + 1;
    return NULL;
}

#endif
