#!/usr/bin/env python3
"""elm_error.py RUN_DIR... - the error figures of the ELM benchmarks from a run directory's
solution.npy and reference.npy (no numpy needed): e = mean|u - u_ref| / std(u_ref) (the
ELM-FBPINN paper's measure), max|u - u_ref|, relative L2, and the least-squares summary."""
import json, math, struct, sys


def load_npy(path):
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:6] == b'\x93NUMPY', path
    major = data[6]
    hlen = struct.unpack('<H', data[8:10])[0] if major == 1 else struct.unpack('<I', data[8:12])[0]
    start = (10 if major == 1 else 12) + hlen
    header = data[start - hlen:start].decode('latin1')
    assert "'<f8'" in header, header
    n = (len(data) - start) // 8
    return struct.unpack('<%dd' % n, data[start:start + 8 * n])


def main():
    for run in sys.argv[1:]:
        u = load_npy(run + '/solution.npy')
        r = load_npy(run + '/reference.npy')
        pairs = [(a, b) for a, b in zip(u, r) if not (math.isnan(a) or math.isnan(b))]
        n = len(pairs)
        mean = sum(b for _, b in pairs) / n
        std = math.sqrt(sum((b - mean) ** 2 for _, b in pairs) / n)
        mae = sum(abs(a - b) for a, b in pairs) / n
        mx = max(abs(a - b) for a, b in pairs)
        l2 = math.sqrt(sum((a - b) ** 2 for a, b in pairs) / sum(b * b for _, b in pairs))
        s = json.load(open(run + '/summary.json'))
        ls = s.get('least_squares', {})
        print('%s: e = %.2e, max = %.2e, rel_l2 = %.2e, wall %.2f s, solve %s/%s %s it, %sx%s nnz %s, '
              'assemble %.2f s (cpu %.2f), solve %.2f s (cpu %.2f), cond %s, cond_precond %s, block_cond %s, M %.1f MB'
              % (run, mae / std, mx, l2, s['wall_s'], ls.get('method'), ls.get('precond'), ls.get('iterations'),
                 ls.get('rows'), ls.get('cols'), ls.get('nnz'), ls.get('assemble_s') or 0, ls.get('assemble_cpu_s') or 0,
                 ls.get('solve_s') or 0, ls.get('solve_cpu_s') or 0, ls.get('cond'), ls.get('cond_precond'),
                 ls.get('block_cond'), ls.get('matrix_mb') or 0))


if __name__ == '__main__':
    main()
