/**
 * Reads what a native file is from its own headers: its format (ELF, Mach-O, PE), the CPU it runs on, and the
 * libraries it loads at start (ELF DT_NEEDED, Mach-O LC_LOAD_DYLIB, PE import table; delay-loaded DLLs are not
 * counted: they load only when called). Only 64-bit little-endian files are read in full, which is what every
 * platform we ship uses; anything else is reported as such so a test fails on it.
 *
 * Layouts: ELF — the System V gABI (e_machine at 18; 0x3e x86-64, 0xb7 AArch64); Mach-O — <mach-o/loader.h>
 * (cputype at 4; 0x01000007 x86_64, 0x0100000c arm64); PE — the Microsoft PE/COFF spec (Machine after "PE\0\0";
 * 0x8664 AMD64, 0xaa64 ARM64).
 */
export type NativeFormat = 'elf' | 'mach-o' | 'pe';

export interface NativeBinary {
  format: NativeFormat;
  /** Node's names: 'x64', 'arm64', or `unknown(<machine>)`. */
  arch: string;
  /** Libraries it names to be loaded with it, as written in the file (`libc.so.6`, `@rpath/x.dylib`, `KERNEL32.dll`). */
  needs: string[];
  /**
   * Where it says to look for them: ELF DT_RUNPATH/DT_RPATH (`$ORIGIN/`), Mach-O LC_RPATH (`@loader_path`). PE has
   * none: Node loads add-ons with LOAD_WITH_ALTERED_SEARCH_PATH, so Windows looks beside the add-on first.
   */
  searchPaths: string[];
}

const ELF_MACHINES: Record<number, string> = { 0x3e: 'x64', 0xb7: 'arm64' };
const MACHO_CPUS: Record<number, string> = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
const PE_MACHINES: Record<number, string> = { 0x8664: 'x64', 0xaa64: 'arm64' };

/** The format of a file from its first bytes, or undefined when it is not a native binary we know. */
export function nativeFormat(head: Buffer): NativeFormat | 'mach-o-fat' | undefined {
  if (head.length < 4) return undefined;
  if (head.readUInt32BE(0) === 0x7f454c46) return 'elf';
  const magicLE = head.readUInt32LE(0);
  if (magicLE === 0xfeedfacf || magicLE === 0xfeedface) return 'mach-o';
  if (head.readUInt32BE(0) === 0xcafebabe) return 'mach-o-fat';
  if (head.readUInt16BE(0) === 0x4d5a) return 'pe'; // "MZ"
  return undefined;
}

export function readNativeBinary(file: Buffer): NativeBinary {
  const format = nativeFormat(file);
  switch (format) {
    case 'elf': return readElf(file);
    case 'mach-o': return readMachO(file);
    case 'pe': return readPe(file);
    default: throw new Error(`not a 64-bit ELF, Mach-O or PE file (${format ?? 'unknown magic'})`);
  }
}

function machineName(table: Record<number, string>, value: number): string {
  return table[value] ?? `unknown(0x${value.toString(16)})`;
}

function cString(buf: Buffer, offset: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString('latin1', offset, end < 0 ? buf.length : end);
}

function readElf(buf: Buffer): NativeBinary {
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error(`ELF class ${buf[4]} / data ${buf[5]}: only 64-bit little-endian is read`);
  const arch = machineName(ELF_MACHINES, buf.readUInt16LE(18));
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return { type: buf.readUInt32LE(at + 4), offset: Number(buf.readBigUInt64LE(at + 24)), size: Number(buf.readBigUInt64LE(at + 32)), link: buf.readUInt32LE(at + 40) };
  };
  const needs: string[] = [];
  const searchPaths: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const dynamic = section(i);
    if (dynamic.type !== 6) continue; // SHT_DYNAMIC
    const strings = section(dynamic.link);
    for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
      const tag = buf.readBigInt64LE(at);
      if (tag === 0n) break; // DT_NULL
      const value = () => cString(buf, strings.offset + Number(buf.readBigUInt64LE(at + 8)));
      if (tag === 1n) needs.push(value()); // DT_NEEDED
      if (tag === 15n || tag === 29n) searchPaths.push(...value().split(':')); // DT_RPATH, DT_RUNPATH
    }
  }
  return { format: 'elf', arch, needs, searchPaths };
}

function readMachO(buf: Buffer): NativeBinary {
  if (buf.readUInt32LE(0) !== 0xfeedfacf) throw new Error('32-bit Mach-O: only 64-bit is read');
  const arch = machineName(MACHO_CPUS, buf.readInt32LE(4));
  const ncmds = buf.readUInt32LE(16);
  const needs: string[] = [];
  const searchPaths: string[] = [];
  let at = 32; // sizeof(mach_header_64)
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(at);
    const size = buf.readUInt32LE(at + 4);
    // LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB: a dylib_command whose name is at the given offset
    if (cmd === 0xc || cmd === 0x80000018 || cmd === 0x8000001f) needs.push(cString(buf, at + buf.readUInt32LE(at + 8)));
    if (cmd === 0x8000001c) searchPaths.push(cString(buf, at + buf.readUInt32LE(at + 8))); // LC_RPATH
    at += size;
  }
  return { format: 'mach-o', arch, needs, searchPaths };
}

function readPe(buf: Buffer): NativeBinary {
  const pe = buf.readUInt32LE(0x3c);
  if (buf.readUInt32BE(pe) !== 0x50450000) throw new Error('MZ header without a PE signature');
  const arch = machineName(PE_MACHINES, buf.readUInt16LE(pe + 4));
  const sectionCount = buf.readUInt16LE(pe + 6);
  const optional = pe + 24;
  if (buf.readUInt16LE(optional) !== 0x20b) throw new Error('PE32 (32-bit): only PE32+ is read');
  const sections = Array.from({ length: sectionCount }, (_, i) => {
    const at = optional + buf.readUInt16LE(pe + 20) + i * 40;
    return { virtualSize: buf.readUInt32LE(at + 8), virtualAddress: buf.readUInt32LE(at + 12), rawOffset: buf.readUInt32LE(at + 20) };
  });
  const fileOffset = (rva: number) => {
    const s = sections.find((x) => rva >= x.virtualAddress && rva < x.virtualAddress + x.virtualSize);
    if (!s) throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
    return rva - s.virtualAddress + s.rawOffset;
  };
  const importRva = buf.readUInt32LE(optional + 112 + 8); // data directory 1: the import table
  const needs: string[] = [];
  if (importRva !== 0) {
    for (let at = fileOffset(importRva); ; at += 20) {
      const nameRva = buf.readUInt32LE(at + 12);
      if (nameRva === 0) break;
      needs.push(cString(buf, fileOffset(nameRva)));
    }
  }
  return { format: 'pe', arch, needs, searchPaths: [] };
}
