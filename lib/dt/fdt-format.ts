// The flattened device tree wire format (libfdt's fdt.h): header layout, tags,
// version window. Shared by the reader and the writer.

export const FDT_MAGIC = 0xd00dfeed;

export const FdtTag = { BEGIN_NODE: 1, END_NODE: 2, PROP: 3, NOP: 4, END: 9 } as const;

/** libfdt FDT_FIRST_SUPPORTED_VERSION / FDT_LAST_SUPPORTED_VERSION */
export const FDT_FIRST_SUPPORTED_VERSION = 2;
export const FDT_LAST_SUPPORTED_VERSION = 17;

/** byte offsets of the header fields (struct fdt_header) */
export const HeaderField = {
  magic: 0,
  totalsize: 4,
  off_dt_struct: 8,
  off_dt_strings: 12,
  off_mem_rsvmap: 16,
  version: 20,
  last_comp_version: 24,
  boot_cpuid_phys: 28,
  size_dt_strings: 32,
  size_dt_struct: 36,
} as const;
export type HeaderFieldName = keyof typeof HeaderField;

/** FDT_V1_SIZE .. FDT_V17_SIZE: how much header a given version has (fdt_header_size_) */
export function fdtHeaderSize(version: number): number {
  if (version <= 1) return 28;
  if (version <= 2) return 32;
  if (version <= 16) return 36;
  return 40;
}

/** INT_MAX: libfdt keeps offsets in an int, so totalsize must fit */
export const FDT_INT_MAX = 0x7fffffff;

export const FDT_TAGSIZE = 4;

/** FDT_TAGALIGN without 32-bit wrap-around (offsets may be near 2^32 in a hostile blob) */
export function tagAlign(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}
