// The peak resident set of this process, in MB. On Linux, VmHWM of /proc/self/status: the
// high-water mark of this program's own memory. Not getrusage's ru_maxrss (process.resourceUsage),
// which Linux carries over from before exec: a child forked from a parent that had just built a
// 40 MB mail would report the parent's size. Elsewhere, ru_maxrss.
import { readFileSync } from 'node:fs';

export function peakRssMb() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
