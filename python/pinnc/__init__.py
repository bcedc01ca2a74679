"""pinnc - physics-informed neural networks from Python (ctypes over libpinnc.so, numpy in and out).

    import pinnc
    run = pinnc.train("examples/heat.yaml", {"train.epochs": 200}, out="runs/heat-py")
    u, u_x = run.predict(points, ["u", "u_x"]).T      # points: (n, d) array or {"t": ..., "x": ...}
    run = pinnc.load("runs/heat")                      # a finished run directory (its checkpoint)
    h = run.history                                    # history.csv as {column: array}
    run                                                # in a notebook: the run's report.html

The library is found through $PINNC_LIB, then next to this package (an installed tree:
<prefix>/lib/pinnc/python/pinnc -> <prefix>/lib/libpinnc.so), then the system's library path.
"""
import ctypes
import ctypes.util
import html
import json
import os
import tempfile

import numpy as np

__all__ = ["train", "load", "read_history", "Run", "PinncError"]


class PinncError(RuntimeError):
    """An error reported by libpinnc (its status name and message)."""


class _Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("msg", ctypes.c_char * 512)]


def _find_library():
    env = os.environ.get("PINNC_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for rel in ("../../..", "../../../lib", "../../build"):
        cand = os.path.normpath(os.path.join(here, rel, "libpinnc.so"))
        if os.path.exists(cand):
            return cand
    return ctypes.util.find_library("pinnc") or "libpinnc.so"


_lib = None


def _L():
    """Load libpinnc once and declare the functions used."""
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL(_find_library())
    P, E, S = ctypes.c_void_p, ctypes.POINTER(_Error), ctypes.c_char_p
    sig = {
        "pinn_problem_struct_size": (ctypes.c_size_t, []),
        "pinn_real_size": (ctypes.c_int, []),
        "pinn_problem_describe": (ctypes.c_size_t, [P, ctypes.c_char_p, ctypes.c_size_t]),
        "pinn_problem_load": (ctypes.c_int, [P, S, ctypes.c_int, ctypes.POINTER(S), E]),
        "pinn_trainer_init": (ctypes.c_int, [ctypes.POINTER(P), P, E]),
        "pinn_trainer_free": (None, [P]),
        "pinn_trainer_train": (ctypes.c_int, [P, S, ctypes.c_int, P, P, E]),
        "pinn_trainer_load_checkpoint": (ctypes.c_int, [P, S, E]),
        "pinn_trainer_predict": (ctypes.c_int, [P, ctypes.c_size_t, P, ctypes.c_int, ctypes.POINTER(S), P, E]),
        "pinn_trainer_evaluate": (ctypes.c_int, [P, ctypes.POINTER(ctypes.c_double), E]),
        "pinn_trainer_nparams": (ctypes.c_size_t, [P]),
        "pinn_report_write": (ctypes.c_int, [S, E]),
        "pinn_report_vtk": (ctypes.c_int, [S, E]),
        "pinn_version": (S, []),
    }
    for name, (res, args) in sig.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    _lib = lib
    return lib


def _check(status, err, what):
    if status != 0:
        raise PinncError(f"{what}: {err.msg.decode(errors='replace')}")


def _real():
    return np.float32 if _L().pinn_real_size() == 4 else np.float64


def _flatten(overrides, prefix=""):
    """{"train": {"epochs": 5}, "model.hidden": [8]} -> ["train.epochs=5", "model.hidden=[8]"]"""
    out = []
    for k, v in (overrides or {}).items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out += _flatten(v, key + ".")
        else:
            out.append(f"{key}={v if isinstance(v, str) else json.dumps(v)}")
    return out


def version():
    """The library version string."""
    return _L().pinn_version().decode()


def read_history(run_dir):
    """history.csv of a run directory as {column: numpy array}; "phase" stays a list of str."""
    with open(os.path.join(run_dir, "history.csv")) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    names = lines[0].split(",")
    rows = [l.split(",") for l in lines[1:]]
    out = {}
    for c, name in enumerate(names):
        col = [r[c] if c < len(r) else "" for r in rows]
        if name == "phase":
            out[name] = col
        else:
            out[name] = np.array([float(v) if v not in ("", "nan") else np.nan for v in col])
    return out


class Run:
    """A trained model with its problem and (when it has one) its run directory."""

    def __init__(self, problem_file, sets=(), run_dir=None):
        lib = _L()
        self.run_dir = run_dir
        self._prob = ctypes.create_string_buffer(lib.pinn_problem_struct_size())
        err = _Error()
        sets = [s.encode() for s in sets]
        arr = (ctypes.c_char_p * max(1, len(sets)))(*sets)
        _check(lib.pinn_problem_load(self._prob, os.fsencode(problem_file), len(sets), arr, ctypes.byref(err)), err,
               str(problem_file))
        need = lib.pinn_problem_describe(self._prob, None, 0)
        buf = ctypes.create_string_buffer(need + 1)
        lib.pinn_problem_describe(self._prob, buf, need + 1)
        desc = json.loads(buf.value.decode())
        self.title, self.coords, self.fields = desc["title"], desc["coords"], desc["fields"]
        self.time = desc["time"] if desc["time"] >= 0 else None
        self.params = desc["params"]
        self._t = ctypes.c_void_p()
        _check(lib.pinn_trainer_init(ctypes.byref(self._t), self._prob, ctypes.byref(err)), err, "trainer")

    def __del__(self):
        self.close()

    def close(self):
        """Release the trainer (the run directory stays)."""
        t = getattr(self, "_t", None)
        if t and _lib is not None:
            _lib.pinn_trainer_free(t)
        self._t = None

    @property
    def nparams(self):
        """Number of trainable parameters."""
        return int(_L().pinn_trainer_nparams(self._t))

    def _points(self, x):
        if isinstance(x, dict):
            cols = [np.asarray(x[c], dtype=np.float64).ravel() for c in self.coords]
            x = np.stack(cols, axis=1)
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1 and len(self.coords) == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != len(self.coords):
            raise ValueError(f"points: expected shape (n, {len(self.coords)}) for coordinates {self.coords}")
        return np.ascontiguousarray(x, dtype=_real())

    def predict(self, x, what=None):
        """Values of `what` (fields, derivatives such as "u_x", "u_tt", or expressions of them;
        default every field) at the points x: an (n, d) array in the order of self.coords or a
        dict {coordinate: array}.  Returns an (n, len(what)) array (float64)."""
        what = list(self.fields if what is None else ([what] if isinstance(what, str) else what))
        pts = self._points(x)
        n = pts.shape[0]
        out = np.zeros((n, len(what)), dtype=_real())
        names = (ctypes.c_char_p * len(what))(*[w.encode() for w in what])
        err = _Error()
        _check(_L().pinn_trainer_predict(self._t, n, pts.ctypes.data, len(what), names, out.ctypes.data,
                                         ctypes.byref(err)), err, "predict")
        return out.astype(np.float64)

    def evaluate(self):
        """Relative L2 error of each field against the reference on the evaluation grid."""
        rel = (ctypes.c_double * len(self.fields))()
        err = _Error()
        _check(_L().pinn_trainer_evaluate(self._t, rel, ctypes.byref(err)), err, "evaluate")
        return dict(zip(self.fields, list(rel)))

    def _file(self, name):
        if not self.run_dir:
            raise PinncError("this model has no run directory")
        return os.path.join(self.run_dir, name)

    @property
    def history(self):
        """history.csv as {column: numpy array}."""
        return read_history(self.run_dir)

    @property
    def summary(self):
        """summary.json as a dict."""
        with open(self._file("summary.json")) as f:
            return json.load(f)

    def report(self):
        """(Re)write report.html, the figures and the VTK files; returns the report's path."""
        err = _Error()
        d = os.fsencode(self._file(""))
        _check(_L().pinn_report_write(d, ctypes.byref(err)), err, "report")
        _L().pinn_report_vtk(d, ctypes.byref(err))  # unsupported grids are fine
        return self._file("report.html")

    def _repr_html_(self):
        path = self._file("report.html") if self.run_dir else None
        if not path or not os.path.exists(path):
            return f"<p>pinnc model: {html.escape(self.title)} ({self.nparams} parameters)</p>"
        with open(path, encoding="utf-8") as f:
            page = f.read()
        return ('<iframe style="width:100%;height:720px;border:1px solid #ddd" srcdoc="'
                + html.escape(page, quote=True) + '"></iframe>')

    def __repr__(self):
        return f"<pinnc.Run {self.title!r} coords={self.coords} fields={self.fields} run_dir={self.run_dir!r}>"


def train(problem, overrides=None, out=None, resume=False):
    """Train on a problem file (or a problem given as a dict, in the problem-file layout) with
    --set style overrides ({"train.epochs": 200} or nested dicts); writes the run directory out
    (default: a new temporary directory) with its report.  Returns the trained Run."""
    out = out or tempfile.mkdtemp(prefix="pinnc-run-")
    if isinstance(problem, dict):
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, "problem.yaml")
        with open(path, "w") as f:
            json.dump(problem, f, indent=1)  # JSON is YAML
        problem = path
    run = Run(problem, _flatten(overrides), run_dir=out)
    err = _Error()
    _check(_L().pinn_trainer_train(run._t, os.fsencode(out), 1 if resume else 0, None, None, ctypes.byref(err)), err,
           "train")
    run.report()
    return run


def load(run_dir):
    """A finished (or checkpointed) run directory: its resolved problem and trained parameters."""
    run = Run(os.path.join(run_dir, "config.yaml"), run_dir=run_dir)
    err = _Error()
    _check(_L().pinn_trainer_load_checkpoint(run._t, os.fsencode(os.path.join(run_dir, "checkpoint.bin")),
                                             ctypes.byref(err)), err, "checkpoint")
    return run
