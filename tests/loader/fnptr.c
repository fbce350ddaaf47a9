/* Loader fixture: taking the address of a function. */
typedef int (*fn)(int);
__attribute__((noinline)) int twice(int x) { return 2 * x; }
fn volatile slot;

__attribute__((section("prog"), used)) int take(int x)
{
    slot = twice;
    return x;
}
