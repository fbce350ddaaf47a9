/* Version of the mbpf tools (--version). */
#ifndef MCUBPF_AOT_VERSION_H
#define MCUBPF_AOT_VERSION_H

#define MBPF_TOOLS_VERSION "0.9.0"

#endif
