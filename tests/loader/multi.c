/* Loader fixture: two programs in their own sections sharing .text functions, rodata (a table
 * and a string literal) and data. */
#define SEC(n) __attribute__((section(n), used))

static const char table[8] = {3, 1, 4, 1, 5, 9, 2, 6};
static unsigned long counter;
unsigned long bias = 100;

__attribute__((noinline)) unsigned long pick(unsigned long i)
{
    return (unsigned long)table[i & 7];
}

__attribute__((noinline)) unsigned long bump(unsigned long by)
{
    counter += by;
    return counter + bias;
}

/* Reads a string literal through a pointer, so it stays in .rodata.str1.1. */
__attribute__((noinline)) unsigned long length(const char *s)
{
    unsigned long n = 0;
    while (s[n] && n < 64)
        n++;
    return n;
}

SEC("sec_a") unsigned long prog_a(void)
{
    return pick(5) + bump(1) + length("mcubpf"); /* 9 + 1 + 100 + 6 = 116 */
}

SEC("sec_b") unsigned long prog_b(void)
{
    return pick(2) * 1000 + bump(7); /* 4000 + 7 + 100 = 4107 */
}
