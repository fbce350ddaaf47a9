/* A tiny cooperative scheduler: FW_THREADS run-to-yield threads, no context switching. Every tick
 * the threads that are due run one step each, in round-robin order; when none is due, the idle
 * thread (0) runs. Each change of the running thread calls the switch hook first. */
#ifndef FW_SCHED_H
#define FW_SCHED_H

#include <stdint.h>

typedef void (*sched_hook)(uint32_t prev, uint32_t next);

typedef struct sched_thread {
    const char *name;
    uint32_t period;     /* due every `period` ticks (0: idle, runs when nothing else is due) */
    void (*step)(void);  /* one run-to-yield step */
    uint32_t steps;      /* steps run so far */
} sched_thread;

extern sched_thread sched_threads[];

/* Run `ticks` ticks from where the last call stopped; returns the number of switches made. */
uint32_t sched_run(uint32_t ticks, sched_hook on_switch);

#endif
