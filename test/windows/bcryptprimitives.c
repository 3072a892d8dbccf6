/*
 * Test stand-in for Windows' bcryptprimitives.dll, never shipped: Bun's Windows runtime imports
 * ProcessPrng from it, which wine added only in 8.13 (Debian 12 has 8.0), so without this the
 * exe does not start under wine. ProcessPrng (documented at
 * https://learn.microsoft.com/en-us/windows/win32/seccng/processprng) fills a buffer with
 * random bytes and always returns TRUE; RtlGenRandom (advapi32's SystemFunction036) does the
 * same job and wine 8.0 has it. Built by test/windows/build-shim.sh with mingw-w64.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  /* RtlGenRandom takes a ULONG length: feed a huge request in chunks. */
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
