/* An object using a BTF-style map: the loader must refuse it with a clear error. */
struct {
    int (*type)[2];
    int (*max_entries)[16];
} counters __attribute__((section(".maps"), used));

static void *(*lookup)(void *map, const void *key) = (void *)1;

__attribute__((section("prog"), used)) int count_prog(void *ctx)
{
    int key = 0;
    int *v = lookup(&counters, &key);
    (void)ctx;
    return v ? *v : 0;
}
