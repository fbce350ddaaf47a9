/* Run settings of a program run as a tenant's (platform/bundle.h records): stand-ins for
 * device-specific helpers, sensor readings, the clock. Shared by the runner firmware and bpfrun
 * on the host so that both answer a program the same way. The includer defines RUN_SETTINGS (an
 * array of mbpf_bundle_setting) and RUN_N_SETTINGS (its length) before including this file. */
#ifndef MCUBPF_PLATFORM_SETTINGS_H
#define MCUBPF_PLATFORM_SETTINGS_H

#include <stddef.h>

#include "mcubpf/runtime.h"
#include "platform/bundle.h"

static const mbpf_bundle_setting *setting(uint32_t kind, uint32_t id)
{
    for (uint32_t i = 0; i < RUN_N_SETTINGS; i++)
        if (RUN_SETTINGS[i].kind == kind && RUN_SETTINGS[i].id == id)
            return &RUN_SETTINGS[i];
    return NULL;
}

static uint32_t settings_now_ms(void *user)
{
    (void)user;
    const mbpf_bundle_setting *s = setting(MBPF_BUNDLE_SET_NOW, 0);
    return s ? (uint32_t)s->value : 0;
}

static int settings_sensor_read(void *user, uint32_t channel, int32_t *value)
{
    (void)user;
    const mbpf_bundle_setting *s = setting(MBPF_BUNDLE_SET_SENSOR, channel);
    if (!s)
        return -1;
    *value = (int32_t)s->value;
    return 0;
}

/* A helper function does not know its id: one function per id, each returning its setting. */
#define MBPF_STAND_IN(n)                                                                       \
    static uint64_t stand_in_##n(mbpf_exec *x, const uint64_t a[5])                            \
    {                                                                                          \
        (void)x;                                                                               \
        (void)a;                                                                               \
        const mbpf_bundle_setting *s = setting(MBPF_BUNDLE_SET_HELPER, n);                     \
        return s ? s->value : 0;                                                               \
    }
MBPF_STAND_IN(1) MBPF_STAND_IN(2) MBPF_STAND_IN(3) MBPF_STAND_IN(4) MBPF_STAND_IN(5)
MBPF_STAND_IN(6) MBPF_STAND_IN(7) MBPF_STAND_IN(8) MBPF_STAND_IN(9) MBPF_STAND_IN(10)
MBPF_STAND_IN(11) MBPF_STAND_IN(12) MBPF_STAND_IN(13) MBPF_STAND_IN(14) MBPF_STAND_IN(15)
#undef MBPF_STAND_IN

/* Register a stand-in for every helper id given one (after the default helpers: a stand-in
 * replaces a default helper of the same id). */
static void settings_register_stand_ins(mbpf_runtime *runtime)
{
    static const mbpf_helper_fn fns[16] = {
        NULL, stand_in_1, stand_in_2, stand_in_3, stand_in_4, stand_in_5, stand_in_6, stand_in_7,
        stand_in_8, stand_in_9, stand_in_10, stand_in_11, stand_in_12, stand_in_13, stand_in_14,
        stand_in_15,
    };
    for (uint32_t id = 1; id < 16 && id < MBPF_RT_MAX_HELPERS; id++)
        if (setting(MBPF_BUNDLE_SET_HELPER, id))
            mbpf_rt_register_helper(runtime, id, fns[id]);
}

#endif
