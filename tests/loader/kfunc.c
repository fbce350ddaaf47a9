/* Loader fixture: a call to an external function (kfunc style). */
extern int outside(int x);

__attribute__((section("prog"), used)) int call_out(int x)
{
    return outside(x) + 1;
}
