#!/usr/bin/env python3
# npy_err.py - e = mean|u - uh| / std(u) and the relative L2 error of a run directory (reference.npy,
# solution.npy; NaN outside the domain skipped), without numpy.  usage: npy_err.py RUN...
import struct, sys, ast, math
def load(p):
    b = open(p, 'rb').read()
    hl = struct.unpack('<H', b[8:10])[0]; h = ast.literal_eval(b[10:10+hl].decode())
    n = 1
    for s in h['shape']: n *= s
    code = {'<f8': 'd', '<f4': 'f'}[h['descr']]
    return list(struct.unpack('<%d%s' % (n, code), b[10+hl:10+hl+n*struct.calcsize(code)]))
for d in sys.argv[1:]:
    u = load(d + "/reference.npy"); v = load(d + "/solution.npy")
    pr = [(a, c) for a, c in zip(u, v) if not (math.isnan(a) or math.isnan(c))]
    n = len(pr); m = sum(a for a, _ in pr) / n
    sd = math.sqrt(sum((a - m) ** 2 for a, _ in pr) / n)
    e = sum(abs(a - c) for a, c in pr) / n / sd
    l2 = math.sqrt(sum((a - c) ** 2 for a, c in pr) / sum(a * a for a, _ in pr))
    print("%se = mean|u-uh|/std(u) = %.3e, rel L2 = %.3e (%d points)" % ("" if len(sys.argv) == 2 else d + ": ", e, l2, n))
