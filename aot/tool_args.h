/* The command line every host translator and packer reads the same way: the profile options,
 * -h/--help, --version, --raw, --section NAME, one input, and where the tool takes them -o FILE,
 * --info FILE and the release options (--hook, --prog-version, --sign). Options of the tool's own
 * come first through a callback. */
#ifndef MCUBPF_AOT_TOOL_ARGS_H
#define MCUBPF_AOT_TOOL_ARGS_H

#include <stdio.h>

#include "aot/file_kind.h"
#include "aot/profile_args.h"
#include "aot/sign_write.h"

enum { /* the optional common options a tool takes */
    MBPF_ARGS_OUT = 1,     /* -o FILE */
    MBPF_ARGS_INFO = 2,    /* --info FILE */
    MBPF_ARGS_RELEASE = 4, /* the release options of sign_write.h */
};

typedef struct mbpf_tool_args {
    const char *self; /* the tool's name, for messages */
    const char *in, *out, *section, *info_path;
    int raw; /* MBPF_RAW_GUESS or MBPF_RAW_FORCE */
    mbpf_release_opts rel;
    mbpf_tool_profile *tp; /* the caller's (large: keep it static) */
} mbpf_tool_args;

/* A tool's own option at argv[*i]: 1 taken (advance *i past its values), 0 not one of its own,
 * -1 malformed (the callback printed why). */
typedef int (*mbpf_own_option)(void *ctx, int argc, char **argv, int *i);

enum { MBPF_ARGS_RUN = 0, MBPF_ARGS_DONE = 1, MBPF_ARGS_BAD = -1 };

/* Parse argv into a (tp set to the default profile first). Returns MBPF_ARGS_RUN, MBPF_ARGS_DONE
 * when --help or --version was printed (exit 0), MBPF_ARGS_BAD when a message was printed (exit 1). */
int mbpf_tool_args_parse(mbpf_tool_args *a, mbpf_tool_profile *tp, unsigned takes, int argc,
                         char **argv, void (*usage)(FILE *, const char *), mbpf_own_option own,
                         void *ctx);

/* The two forms of the translators and the packer: "--info FILE" alone describes FILE; otherwise
 * PROG and -o OUT. Returns -1 to go on translating or packing, else the tool's exit status. */
int mbpf_tool_info_form(const mbpf_tool_args *a, void (*usage)(FILE *, const char *));

/* Load a->in (object, container, image or raw bytecode; a note on stderr when it was read as raw
 * bytecode). 0, or 2 with the message printed (the tools' "rejected" exit status). */
int mbpf_tool_load(const mbpf_tool_args *a, mbpf_loaded *out);

#endif
