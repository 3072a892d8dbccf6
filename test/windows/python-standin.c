/*
 * Test stand-in for a portable's python_embeded\python.exe under wine: it answers comfy-env's
 * version query (`python.exe -c "...print('%d.%d' % sys.version_info[:2])"`) with
 * PYTHON_STANDIN_VERSION (default 3.12), so the smoke suite can check which Python pin a
 * portable install uses without a Windows Python. Built by build-shim.sh.
 */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  const char *v = getenv("PYTHON_STANDIN_VERSION");
  printf("%s\n", v && *v ? v : "3.12");
  return 0;
}
