/* Host side of device profiles (include/mcubpf/profile.h): the profile file and the options every
 * tool takes (--profile, --helpers, --ctx, --ctx-min, --stack, --strict), helper names. */
#ifndef MCUBPF_AOT_PROFILE_ARGS_H
#define MCUBPF_AOT_PROFILE_ARGS_H

#include <stdio.h>

#include "mcubpf/profile.h"

#define MBPF_TOOL_MAX_HELPER_ID 128
#define MBPF_HELPER_NAME_MAX 32

typedef struct mbpf_tool_profile {
    mbpf_profile p;
    int conformance; /* the conformance suites' helper set (ids 0..5) instead of the runtime's */
    char names[MBPF_TOOL_MAX_HELPER_ID][MBPF_HELPER_NAME_MAX]; /* "" = no name known */
} mbpf_tool_profile;

/* The runtime's default device: its default helper set, context read/write, no promised length,
 * the largest stack (MBPF_MAX_CALL_DEPTH frames). */
void mbpf_tool_profile_default(mbpf_tool_profile *tp);

/* Switch to the conformance suites' helpers (include/mcubpf/test_helpers.h), ids 0..5 only. */
void mbpf_tool_profile_conformance(mbpf_tool_profile *tp);

/* One setting, as a line of a profile file or an option without its dashes:
 *   helpers LIST      the helpers offered: comma-separated names or ids, "default", "none"
 *   helper ID NAME    a device-specific helper: names id ID and offers it
 *   ctx rw|ro|none    ctx-min BYTES    stack BYTES    max-insns N    strict
 * Returns 0, or -1 with a message naming the bad word in err. */
int mbpf_tool_profile_set(mbpf_tool_profile *tp, const char *key, const char *value, char *err,
                          size_t errlen);

/* Read a profile file: one setting per line, '#' starts a comment. */
int mbpf_tool_profile_load(mbpf_tool_profile *tp, const char *path, char *err, size_t errlen);

/* If argv[*i] is a profile option, apply it (advancing *i past its value) and return 1; return 0
 * when it is not one, -1 (message in err) when it is malformed. */
int mbpf_tool_profile_option(mbpf_tool_profile *tp, int argc, char **argv, int *i, char *err,
                             size_t errlen);

/* Help text of the profile options. */
void mbpf_tool_profile_usage(FILE *f);

/* Name of helper id (or "helper N"); the id of a name, or -1. */
const char *mbpf_tool_helper_name(const mbpf_tool_profile *tp, uint32_t id, char *buf, size_t len);
int mbpf_tool_helper_id(const mbpf_tool_profile *tp, const char *name);

/* Offer helper id (1 on success, 0 when the id is out of the device's range; err filled). */
int mbpf_tool_offer_helper(mbpf_tool_profile *tp, uint32_t id, char *err, size_t errlen);

/* Strict unsigned number: decimal or 0x hex, the whole word, no sign. 0 ok, -1 otherwise. */
int mbpf_parse_u64(const char *s, uint64_t *out);

#endif
