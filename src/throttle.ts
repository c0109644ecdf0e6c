/** A logger call that speaks at most once per `intervalMs`, saying how many calls it held back meanwhile. */
export function throttle(fn: (message: string) => void, intervalMs: number): (message: string) => void {
  let last = 0;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed += 1;
      return;
    }
    fn(suppressed ? `${message} (${suppressed} similar errors suppressed)` : message);
    last = now;
    suppressed = 0;
  };
}
