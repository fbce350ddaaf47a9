/* --info: what a program file is and what it holds (container or AOT image header, checked as
 * the device checks it; for an ELF object or raw bytecode, the program the tools would take). */
#ifndef MCUBPF_AOT_FILE_INFO_H
#define MCUBPF_AOT_FILE_INFO_H

/* Prints the description to stdout. Returns 0 when the file is well formed, 2 when the device
 * would refuse it, 1 on I/O errors. */
int mbpf_print_file_info(const char *self, const char *path);

#endif
