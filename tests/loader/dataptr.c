/* Loader fixture: initialised data holding a pointer (a relocation inside .data). */
static int value = 7;
int *ptr = &value;

__attribute__((section("prog"), used)) int deref(void)
{
    return *ptr;
}
