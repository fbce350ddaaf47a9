/* The cooperative scheduler (sched.h) and its four threads. The threads only keep a little state
 * of their own: the point is the sequence of switches, which is the same on every build. */
#include "examples/firmware/sched.h"

#include "examples/firmware/fw_abi.h"

static uint32_t sensor_value = 1000, net_polls, log_lines;

static void idle_step(void)
{
}

static void sensor_step(void)
{
    sensor_value = sensor_value * 1103515245u + 12345u; /* a "measurement" */
}

static void net_step(void)
{
    net_polls++;
}

static void logger_step(void)
{
    log_lines += (sensor_value >> 16) & 1u;
}

sched_thread sched_threads[FW_THREADS] = {
    {"idle", 0, idle_step, 0},
    {"sensor", 2, sensor_step, 0},
    {"net", 3, net_step, 0},
    {"logger", 5, logger_step, 0},
};

static uint32_t current, tick;

static void switch_to(uint32_t next, sched_hook on_switch, uint32_t *switches)
{
    if (next != current) {
        on_switch(current, next);
        current = next;
        (*switches)++;
    }
    sched_threads[next].step();
    sched_threads[next].steps++;
}

uint32_t sched_run(uint32_t ticks, sched_hook on_switch)
{
    uint32_t switches = 0;
    for (uint32_t end = tick + ticks; tick != end; tick++) {
        int ran = 0;
        uint32_t last = current;
        /* round robin: start after the thread that ran last */
        for (uint32_t k = 1; k <= FW_THREADS; k++) {
            uint32_t t = (last + k) % FW_THREADS;
            if (sched_threads[t].period && tick % sched_threads[t].period == 0) {
                switch_to(t, on_switch, &switches);
                ran = 1;
            }
        }
        if (!ran)
            switch_to(0, on_switch, &switches);
    }
    return switches;
}
