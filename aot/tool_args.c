/* The host tools' common command line (aot/tool_args.h). */
#include "aot/tool_args.h"

#include <string.h>

#include "aot/file_info.h"
#include "aot/version.h"

int mbpf_tool_args_parse(mbpf_tool_args *a, mbpf_tool_profile *tp, unsigned takes, int argc,
                         char **argv, void (*usage)(FILE *, const char *), mbpf_own_option own,
                         void *ctx)
{
    const char *slash = strrchr(argv[0], '/');
    memset(a, 0, sizeof *a);
    a->self = slash ? slash + 1 : argv[0];
    a->raw = MBPF_RAW_GUESS;
    a->tp = tp;
    mbpf_tool_profile_default(tp);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const int has_value = i + 1 < argc;
        int r = own ? own(ctx, argc, argv, &i) : 0;
        if (r < 0)
            return MBPF_ARGS_BAD;
        if (r > 0)
            continue;
        if (takes & MBPF_ARGS_RELEASE) {
            const char *rerr = NULL;
            r = mbpf_release_option(argc, argv, &i, &a->rel, &rerr);
            if (r < 0) {
                fprintf(stderr, "%s: %s\n", a->self, rerr);
                return MBPF_ARGS_BAD;
            }
            if (r > 0)
                continue;
        }
        char err[512];
        r = mbpf_tool_profile_option(tp, argc, argv, &i, err, sizeof err);
        if (r < 0) {
            fprintf(stderr, "%s: %s\n", a->self, err);
            return MBPF_ARGS_BAD;
        }
        if (r > 0)
            continue;
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage(stdout, a->self);
            return MBPF_ARGS_DONE;
        } else if (!strcmp(arg, "--version")) {
            printf("%s (mcubpf) %s\n", a->self, MBPF_TOOLS_VERSION);
            return MBPF_ARGS_DONE;
        } else if (!strcmp(arg, "--raw")) {
            a->raw = MBPF_RAW_FORCE;
        } else if (!strcmp(arg, "--section") && has_value) {
            a->section = argv[++i];
        } else if ((takes & MBPF_ARGS_OUT) && !strcmp(arg, "-o") && has_value) {
            a->out = argv[++i];
        } else if ((takes & MBPF_ARGS_INFO) && !strcmp(arg, "--info") && has_value) {
            a->info_path = argv[++i];
        } else if (arg[0] == '-') {
            fprintf(stderr, "%s: unknown or incomplete option '%s' (see --help)\n", a->self, arg);
            return MBPF_ARGS_BAD;
        } else if (!a->in) {
            a->in = arg;
        } else {
            fprintf(stderr, "%s: more than one input (see --help)\n", a->self);
            return MBPF_ARGS_BAD;
        }
    }
    return MBPF_ARGS_RUN;
}

int mbpf_tool_info_form(const mbpf_tool_args *a, void (*usage)(FILE *, const char *))
{
    if (a->info_path && !a->in && !a->out && !a->section)
        return mbpf_print_file_info(a->self, a->info_path);
    if (a->info_path || !a->in || !a->out) {
        usage(stderr, a->self);
        return 1;
    }
    return -1;
}

int mbpf_tool_load(const mbpf_tool_args *a, mbpf_loaded *out)
{
    char err[512];
    int guessed = 0;
    if (mbpf_load_program(a->in, a->section, a->raw, out, &guessed, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", a->self, err);
        return 2;
    }
    if (guessed)
        fprintf(stderr, "%s: note: %s is not an ELF object, a container or an image; read as raw "
                "bytecode (%u instructions)\n", a->self, a->in, out->prog.n_insns);
    return 0;
}
