/* Loader fixture: a CO-RE field access (needs BTF relocations, which mcubpf does not support). */
struct pkt {
    int len;
    int flags;
} __attribute__((preserve_access_index));

__attribute__((section("core"), used)) int read_flags(struct pkt *p)
{
    return p->flags;
}
