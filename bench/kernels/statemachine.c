/* A byte-driven state machine with a switch per state (a tokenizer for a small line protocol):
 * counts numbers, words, keys (word followed by ':') and lines; numbers are accumulated. */
#include "kernel.h"

enum { IDLE, NUMBER, WORD, AFTER_KEY };

KERNEL(statemachine)
{
    uint32_t state = IDLE, numbers = 0, words = 0, keys = 0, lines = 0, acc = 0, total = 0;
    for (uint64_t i = 0; i < len; i++) {
        uint32_t c = buf[i] & 0x7f, digit = c - '0' < 10, alpha = (c | 0x20) - 'a' < 26;
        switch (state) {
        case IDLE:
            if (digit) {
                state = NUMBER;
                acc = c - '0';
            } else if (alpha) {
                state = WORD;
            } else if (c == '\n' || c < 16) {
                lines++;
            }
            break;
        case NUMBER:
            if (digit) {
                acc = acc * 10 + (c - '0');
            } else {
                numbers++;
                total += acc;
                state = alpha ? WORD : IDLE;
            }
            break;
        case WORD:
            if (c == ':' || (c & 0x3f) == 0x3a) {
                keys++;
                state = AFTER_KEY;
            } else if (!alpha && !digit) {
                words++;
                state = IDLE;
            }
            break;
        default: /* AFTER_KEY */
            state = digit ? NUMBER : IDLE;
            acc = c - '0';
            break;
        }
    }
    return (uint64_t)numbers << 48 | (uint64_t)words << 32 | (uint64_t)keys << 24 |
           (uint64_t)(lines & 0xff) << 16 | (total & 0xffff);
}
