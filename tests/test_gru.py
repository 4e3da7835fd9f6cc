"""The GRU (lstm_core.gru): every gradient against finite differences (float64), h_norm against an independent
reference, parity with torch.nn.GRU, planted bugs that must be caught, dtypes, clear errors, and safe results.
The sequence checks run on both paths: the readable gru_forward/gru_backward and lstm_core.fast's, which
training uses (tests/test_paths.py proves the two equal to 1e-12).

The reference below is written straight from PyTorch's GRU equations with separate gate matrices and the
textbook sigmoid 1/(1+e^{-a}); it is deliberately not lstm_core's code. It takes additive perturbations
on h_t, so differentiating the loss by them gives the TOTAL gradients dL/dh_t through every path.
"""

import numpy as np
import pytest
from helpers import norm_rel, ref_sigmoid, scaled_err
from hypothesis import given, settings
from hypothesis import strategies as st

import lstm_core
import lstm_core.fast as fast
import lstm_core.gru as gru
from lstm_core import numerical_gradient, rel_error
from lstm_lab.bugs import load_mutant

PARAMS = ("W_x", "W_h", "b_x", "b_h")
PATHS = pytest.mark.parametrize("path", [gru, fast], ids=["readable", "fast"])

SHAPES = [  # (T, B, D, H): T=1, B=1, D != H, D == H, D > H, a longer sequence
    (1, 1, 1, 1),
    (1, 2, 3, 4),
    (4, 1, 2, 3),
    (3, 2, 4, 4),
    (5, 3, 4, 2),
    (12, 2, 1, 3),
]


def make_case(T=4, B=2, D=3, H=5, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "p": gru.GRUParams.init(D, H, seed=seed),
        "xs": rng.normal(size=(T, B, D)),
        "h0": rng.normal(size=(B, H)) * 0.5,
        "dh": rng.normal(size=(T, B, H)),
    }


def reference_gru(xs, W_x, W_h, b_x, b_h, h0, pert_h=None):
    """PyTorch's GRU equations, step by step. Returns hs (T, B, H)."""
    W_ir, W_iz, W_in = np.split(W_x, 3)
    W_hr, W_hz, W_hn = np.split(W_h, 3)
    b_ir, b_iz, b_in = np.split(b_x, 3)
    b_hr, b_hz, b_hn = np.split(b_h, 3)
    h, hs = h0, []
    for t in range(xs.shape[0]):
        x = xs[t]
        r = ref_sigmoid(x @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = ref_sigmoid(x @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n = np.tanh(x @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
        h = (1 - z) * n + z * h + (0 if pert_h is None else pert_h[t])
        hs.append(h)
    return np.array(hs)


def as_params_of(mod, p):
    """p as ``mod``'s GRUParams (a mutant module defines its own class), sharing p's live arrays."""
    q = mod.GRUParams(*p.arrays().values())
    assert all(q.arrays()[k] is p.arrays()[k] for k in PARAMS)
    return q


def sequence_errors(mod, case, metric=norm_rel):
    """Relative errors of ``mod``'s gru_forward/gru_backward: h against the reference, every gradient
    against central differences. ``metric``: norm_rel (per whole array) or rel_error (largest elementwise)."""
    p, xs, h0, dh = as_params_of(mod, case["p"]), case["xs"], case["h0"], case["dh"]
    run = mod.gru_forward(xs, p, h0)
    g = mod.gru_backward(dh, run)
    errs = {"h": norm_rel(run.h, reference_gru(xs, *p.arrays().values(), h0))}

    def L():
        return float(np.sum(dh * mod.gru_forward(xs, p, h0).h))

    wrt = {**{"d" + k: (a, getattr(g, k)) for k, a in p.arrays().items()}, "dx": (xs, g.x), "dh0": (h0, g.h0)}
    for name, (arr, got) in wrt.items():
        errs[name] = metric(got, numerical_gradient(L, arr))
    return errs


def step_errors(mod, case, metric=norm_rel):
    """Relative errors of ``mod``'s gru_step/gru_step_backward (h, dx, dh_prev, dW_x, dW_h, db_x, db_h)."""
    p, x, h, dh = as_params_of(mod, case["p"]), case["xs"][0], case["h0"], case["dh"][0]
    h1, cache = mod.gru_step(x, h, p)
    errs = {"h": norm_rel(h1, reference_gru(x[None], *p.arrays().values(), h)[0])}
    dx, dh_prev, grads = mod.gru_step_backward(dh, cache)
    assert set(grads) == set(PARAMS)

    def L():
        return float(np.sum(dh * mod.gru_step(x, h, p)[0]))

    wrt = {"dx": (x, dx), "dh_prev": (h, dh_prev), **{"d" + k: (a, grads[k]) for k, a in p.arrays().items()}}
    for name, (arr, got) in wrt.items():
        errs[name] = metric(got, numerical_gradient(L, arr))
    return errs


def total_gradients(case):
    """dL/dh_t through all paths, by central differences on the reference's additive perturbations of h_t."""
    p, xs, h0, dh = case["p"], case["xs"], case["h0"], case["dh"]
    ph = np.zeros_like(dh)

    def L():
        return float(np.sum(dh * reference_gru(xs, *p.arrays().values(), h0, pert_h=ph)))

    return numerical_gradient(L, ph)


def run_steps(case):
    """The sequence computed with the public step functions: forward, then backward through time."""
    p, xs, h, dh = case["p"], case["xs"], case["h0"], case["dh"]
    hs, caches = [], []
    for t in range(xs.shape[0]):
        h, cache = gru.gru_step(xs[t], h, p)
        hs.append(h)
        caches.append(cache)
    dh_next, grads, dxs = np.zeros_like(h), dict.fromkeys(PARAMS, 0.0), []
    for t in reversed(range(xs.shape[0])):
        dx, dh_next, g = gru.gru_step_backward(dh[t] + dh_next, caches[t])
        grads = {k: grads[k] + g[k] for k in PARAMS}
        dxs.insert(0, dx)
    return np.array(hs), grads, np.array(dxs), dh_next


# --- gradients ------------------------------------------------------------------------------------


@PATHS
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
def test_sequence_gradients_match_finite_differences(shape, path):
    errs = sequence_errors(path, make_case(*shape, seed=sum(shape)))
    assert errs["h"] < 1e-13, errs
    assert max(v for k, v in errs.items() if k.startswith("d")) < 1e-8, errs


@PATHS
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
def test_sequence_gradients_elementwise_cs231n(shape, path):
    # the strict CS231n measure, the largest elementwise relative error: well conditioned at these scales
    errs = sequence_errors(path, make_case(*shape, seed=sum(shape)), metric=rel_error)
    assert max(errs.values()) < 1e-6, errs


@pytest.mark.parametrize("shape", SHAPES[:5], ids=lambda s: "B{}D{}H{}".format(*s[1:]))
def test_step_gradients_match_finite_differences(shape):
    case = make_case(*shape, seed=3)
    for metric, tol in ((norm_rel, 1e-8), (rel_error, 1e-6)):
        errs = step_errors(gru, case, metric=metric)
        assert errs["h"] < 1e-13, errs
        assert max(v for k, v in errs.items() if k.startswith("d")) < tol, (metric.__name__, errs)


@PATHS
def test_h_norm_is_the_norm_of_the_total_gradient(path):
    case = make_case(6, 2, 3, 4, seed=5)
    g = path.gru_backward(case["dh"], path.gru_forward(case["xs"], case["p"], case["h0"]))
    dLdh = total_gradients(case)
    np.testing.assert_allclose(g.h_norm, np.linalg.norm(dLdh.reshape(6, -1), axis=1), rtol=1e-8)
    assert g.h_norm[-1] == pytest.approx(np.linalg.norm(case["dh"][-1]), rel=1e-14)  # nothing after the last step


def test_step_functions_and_sequence_functions_agree():
    case = make_case(20, 3, 4, 6, seed=2)
    run = gru.gru_forward(case["xs"], case["p"], case["h0"])
    g = gru.gru_backward(case["dh"], run)
    hs, grads, dx, dh0 = run_steps(case)
    for name, a, b in (
        ("h", run.h, hs),
        ("x", g.x, dx),
        ("h0", g.h0, dh0),
        *((k, getattr(g, k), grads[k]) for k in PARAMS),
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=name)


def test_gates_are_returned_in_pytorchs_order_and_follow_the_equations():
    case = make_case(3, 2, 2, 3, seed=4)
    p, xs, h0 = case["p"], case["xs"], case["h0"]
    run = gru.gru_forward(xs, p, h0)
    x = xs[0]
    r = ref_sigmoid(x @ p.W_ir.T + p.b_ir + h0 @ p.W_hr.T + p.b_hr)
    z = ref_sigmoid(x @ p.W_iz.T + p.b_iz + h0 @ p.W_hz.T + p.b_hz)
    n = np.tanh(x @ p.W_in.T + p.b_in + r * (h0 @ p.W_hn.T + p.b_hn))
    for name, want in (("r", r), ("z", z), ("n", n), ("hn", h0 @ p.W_hn.T + p.b_hn), ("h", (1 - z) * n + z * h0)):
        np.testing.assert_allclose(getattr(run, name)[0], want, rtol=1e-13, err_msg=name)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    T=st.integers(1, 4),
    B=st.integers(1, 3),
    D=st.integers(1, 4),
    H=st.integers(1, 4),
    seed=st.integers(0, 2**16),
    scale=st.sampled_from([0.3, 1.0, 2.0]),
)
def test_property_gradients_over_shapes_and_values(T, B, D, H, seed, scale):
    case = make_case(T, B, D, H, seed=seed)
    for a in case["p"].arrays().values():
        a *= scale
    case["xs"] *= scale
    errs = sequence_errors(gru, case)
    assert errs["h"] < 1e-12, errs
    assert max(v for k, v in errs.items() if k.startswith("d")) < 1e-6, errs


# --- PyTorch --------------------------------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="torch is not installed: pip install torch==2.13.0 (CPU build)")


def test_h_norm_matches_torch_grucell(torch):
    case = make_case(8, 2, 3, 4, seed=12)
    p, xs, dh = case["p"], case["xs"], case["dh"]
    g = gru.gru_backward(dh, gru.gru_forward(xs, p, case["h0"]))
    cell = torch.nn.GRUCell(3, 4).double()
    cell.load_state_dict({k[:-3]: v for k, v in lstm_core.gru_params_to_torch(p).items()})
    h, hs = torch.tensor(case["h0"]), []
    for t in range(8):
        h = cell(torch.tensor(xs[t]), h)
        h.retain_grad()
        hs.append(h)
    sum(torch.sum(torch.tensor(dh[t]) * hs[t]) for t in range(8)).backward()
    assert scaled_err(g.h_norm, np.array([h.grad.norm().item() for h in hs])) <= 1e-12


def test_round_trip_through_a_torch_state_dict(torch):
    m = torch.nn.GRU(3, 4).double()
    sd = m.state_dict()
    p = lstm_core.gru_params_from_torch(sd)
    back = lstm_core.gru_params_from_torch(lstm_core.gru_params_to_torch(p))
    for k in PARAMS:
        np.testing.assert_array_equal(back.arrays()[k], p.arrays()[k], err_msg=k)
    assert set(lstm_core.gru_params_to_torch(p)) == set(sd)
    # torch's blocks are r, z, n; the candidate's two biases stay separate
    np.testing.assert_array_equal(p.W_iz, sd["weight_ih_l0"].numpy()[4:8])
    np.testing.assert_array_equal(p.W_hn, sd["weight_hh_l0"].numpy()[8:])
    np.testing.assert_array_equal(p.b_in, sd["bias_ih_l0"].numpy()[8:])
    np.testing.assert_array_equal(p.b_hn, sd["bias_hh_l0"].numpy()[8:])


def test_conversions_copy_so_nothing_is_shared(torch):
    m = torch.nn.GRU(3, 4).double()
    p = lstm_core.gru_params_from_torch(m.state_dict())
    kept = p.copy()
    with torch.no_grad():
        m.weight_hh_l0.fill_(7.0)
    np.testing.assert_array_equal(p.W_h, kept.W_h)
    sd = lstm_core.gru_params_to_torch(p)
    sd["bias_hh_l0"].fill_(7.0)
    np.testing.assert_array_equal(p.b_h, kept.b_h)


def test_bias_free_torch_gru_gives_zero_biases(torch):
    m = torch.nn.GRU(3, 4, bias=False).double()
    p = lstm_core.gru_params_from_torch(m.state_dict())
    assert not p.b_x.any() and not p.b_h.any() and p.b_x is not p.b_h
    xs = np.random.default_rng(0).normal(size=(5, 2, 3))
    out, _ = m(torch.tensor(xs))
    assert scaled_err(gru.gru_forward(xs, p).h, out.detach().numpy()) <= 1e-12


def test_state_dicts_the_conversion_cannot_take_are_rejected(torch):
    sd = torch.nn.GRU(3, 4).double().state_dict()
    with pytest.raises(ValueError, match=r"state_dict: only a single-layer.*extra keys \['bias_hh_l1'"):
        lstm_core.gru_params_from_torch(torch.nn.GRU(3, 4, num_layers=2).state_dict())
    with pytest.raises(ValueError, match=r"extra keys \['weight_hh_l0_reverse'"):
        lstm_core.gru_params_from_torch({**sd, "weight_hh_l0_reverse": sd["weight_hh_l0"]})
    for key in ("weight_ih_l0", "weight_hh_l0", "bias_hh_l0"):
        with pytest.raises(ValueError, match=rf"state_dict: missing \['{key}'\]"):
            lstm_core.gru_params_from_torch({k: v for k, v in sd.items() if k != key})
    with pytest.raises(ValueError, match=r"weight_hh_l0: expected shape \(3H, H\)"):
        lstm_core.gru_params_from_torch({**sd, "weight_hh_l0": sd["weight_hh_l0"][:, :3]})
    with pytest.raises(ValueError, match=r"bias_ih_l0: expected shape \(3H,\) = \(12,\)"):
        lstm_core.gru_params_from_torch({**sd, "bias_ih_l0": sd["bias_ih_l0"][:8]})
    with pytest.raises(ValueError, match="p: expected GRUParams, got LSTMParams"):
        lstm_core.gru_params_to_torch(lstm_core.LSTMParams.init(3, 4, seed=0))


def test_float32_parameters_give_float32_results_close_to_torch_float32(torch):
    case = make_case(10, 2, 3, 8, seed=1)
    p32 = gru.GRUParams(*(a.astype(np.float32) for a in case["p"].arrays().values()))
    run = gru.gru_forward(case["xs"], p32)  # float64 inputs are cast to the parameters' dtype
    m = torch.nn.GRU(3, 8)
    m.load_state_dict(lstm_core.gru_params_to_torch(p32))
    out, _ = m(torch.tensor(case["xs"], dtype=torch.float32))
    assert scaled_err(run.h, out.detach().numpy()) < 1e-5


# --- planted bugs ---------------------------------------------------------------------------------

# (name, line of lstm_core/gru.py, the buggy line, the sequence check that must fail, the step check or None)
MUTANTS = [
    (
        "z and 1 - z swapped in the h_t update",
        "h_t = (1 - z_t) * n_t + z_t * h_prev",
        "h_t = z_t * n_t + (1 - z_t) * h_prev",
        "h",
        "h",
    ),
    (
        "reset gate applied to h_{t-1} before the matmul (Cho et al. 2014)",
        "n_t = np.tanh(x @ p.W_in.T + p.b_in + r_t * hn_t)",
        "n_t = np.tanh(x @ p.W_in.T + p.b_in + (r_t * h_prev) @ p.W_hn.T + p.b_hn)",
        "h",
        "h",
    ),
    (
        "reset gate not applied to b_hn",
        "n_t = np.tanh(x @ p.W_in.T + p.b_in + r_t * hn_t)",
        "n_t = np.tanh(x @ p.W_in.T + p.b_in + r_t * (hn_t - p.b_hn) + p.b_hn)",
        "h",
        "h",
    ),
    (
        "sigmoid used in place of its derivative",
        "da_r = dr_t * dsigmoid_from_output(r_t)",
        "da_r = dr_t * r_t",
        "dW_x",
        "dW_x",
    ),
    ("dh_prev not carried back through time", "dh_t = dh[t] + dh_next", "dh_t = dh[t] + 0 * dh_next", "dW_h", None),
    (
        "dh_prev misses the direct path through z_t",
        "dh_prev = dh * z_t + da_h @ p.W_h",
        "dh_prev = da_h @ p.W_h",
        "dh0",
        "dh_prev",
    ),
    ("the candidate's gradient skips tanh'", "da_n = dn_t * dtanh_from_output(n_t)", "da_n = dn_t", "dW_x", "dW_x"),
    (
        "update gate gradient with the wrong sign",
        "dz_t = dh * (h_prev - n_t)",
        "dz_t = dh * (n_t - h_prev)",
        "db_x",
        "db_x",
    ),
    ("weight gradients not summed over steps", "grads[name] += g[name]", "grads[name] = g[name]", "dW_x", None),
]


def test_the_real_code_passes_the_checks_the_mutants_fail():
    case = make_case(5, 2, 3, 4, seed=1)
    assert max(step_errors(gru, case).values()) < 1e-8
    assert max(sequence_errors(gru, case).values()) < 1e-8


@pytest.mark.parametrize("name,old,new,check,step_check", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_planted_bug_is_caught(name, old, new, check, step_check):
    mutant = load_mutant(gru, old, new)
    case = make_case(5, 2, 3, 4, seed=1)
    errs = sequence_errors(mutant, case)
    assert errs[check] > 1e-3, errs
    if step_check is not None:
        errs = step_errors(mutant, case)
        assert errs[step_check] > 1e-3, errs


# the same kinds of bug planted into the fast path (lstm_core/fast.py): (name, statement, buggy statement, check);
# checked on 70 steps, so that its backward runs in two chunks (64 + 6 steps)
FAST_MUTANTS = [
    ("z and 1 - z swapped in the h_t update", "h_t *= z_t", "h_t *= 1.0 - z_t", "h"),
    (
        "reset gate applied to h_{t-1} before the matmul (Cho et al. 2014)",
        "np.multiply(r_t, hn_t, out=n[t])",
        "np.copyto(n[t], (Wb[2 * H :, :H] @ (r_t * h_prev)) + Wb[2 * H :, H:])",
        "h",
    ),
    ("sigmoid used in place of its derivative", "k_r *= r", "k_r[...] = r", "dW_x"),
    ("dh_prev not carried back through the gates", "np.matmul(W_hT, da_t, out=dh_next)", "dh_next[...] = 0", "dW_h"),
    ("dh_prev misses the direct path through z_t", "dh_next += direct", "pass", "dh0"),
    ("the candidate's gradient skips tanh'", "dtanh_from_output(n, out=k_n)", "k_n[...] = 1.0", "dW_x"),
    (
        "update gate gradient with the wrong sign",
        "np.subtract(h_prev, n, out=k_r)",
        "np.subtract(n, h_prev, out=k_r)",
        "db_x",
    ),
    (
        "weight gradients not summed over steps",
        "dW_x += np.matmul(ax.T, run.xs[t0:t1].reshape(rows, D), out=dW_x_chunk)",
        "dW_x = np.matmul(ax.T, run.xs[t0:t1].reshape(rows, D), out=dW_x_chunk)",
        "dW_x",
    ),
]


@pytest.mark.parametrize("name,old,new,check", FAST_MUTANTS, ids=[m[0] for m in FAST_MUTANTS])
def test_planted_bug_is_caught_in_the_fast_path(name, old, new, check):
    errs = sequence_errors(load_mutant(fast, old, new), make_case(70, 2, 3, 4, seed=1))
    assert errs[check] > 1e-3, errs


def test_the_real_fast_path_passes_the_checks_its_mutants_fail():
    assert max(sequence_errors(fast, make_case(70, 2, 3, 4, seed=1)).values()) < 1e-8


def test_mutants_do_not_leak_into_lstm_core():
    load_mutant(gru, "dh_t = dh[t] + dh_next", "dh_t = dh[t] + 0 * dh_next")
    load_mutant(fast, "dh_next += direct", "pass")
    for path in (gru, fast):
        assert max(sequence_errors(path, make_case(3, 1, 2, 2, seed=0)).values()) < 1e-8


# --- parameters, dtypes, errors, safety -----------------------------------------------------------


def test_seeded_init_is_reproducible_and_uniform_within_pytorchs_bound():
    a, b, c = (gru.GRUParams.init(3, 5, seed=s) for s in (7, 7, 8))
    for k in PARAMS:
        np.testing.assert_array_equal(a.arrays()[k], b.arrays()[k])
        assert not np.array_equal(a.arrays()[k], c.arrays()[k])
        assert np.abs(a.arrays()[k]).max() <= 1 / np.sqrt(5)
    assert (a.W_x.shape, a.W_h.shape, a.b_x.shape, a.b_h.shape) == ((15, 3), (15, 5), (15,), (15,))
    assert (a.input_size, a.hidden_size, a.dtype) == (3, 5, np.float64)
    assert repr(a) == "GRUParams(input_size=3, hidden_size=5, dtype=float64)"
    assert gru.GRUParams.init(3, 5, seed=7, dtype=np.float32).dtype == np.float32


def test_gate_views_and_arrays_are_live():
    p = gru.GRUParams.init(2, 3, seed=0)
    p.b_hz = 1.5  # a view: writes into b_h's second block
    np.testing.assert_array_equal(p.b_h[3:6], 1.5)
    p.arrays()["W_x"][6:] = 0.25  # the dict holds the live arrays, as the optimisers need
    np.testing.assert_array_equal(p.W_in, 0.25)
    assert p.W_ir.shape == (3, 2) and p.W_hn.shape == (3, 3) and p.b_ir.shape == (3,)
    q = p.copy()
    q.W_h[...] = 9.0
    assert not (p.W_h == 9.0).any()
    run = gru.gru_forward(np.zeros((1, 1, 2)), p)
    g = gru.gru_backward(np.ones((1, 1, 3)), run)
    assert list(g.arrays()) == list(p.arrays()) == list(PARAMS)
    assert all(g.arrays()[k].shape == p.arrays()[k].shape for k in PARAMS)


def test_float32_parameters_give_float32_everything():
    case = make_case(4, 2, 3, 5, seed=0)
    p = gru.GRUParams(*(a.astype(np.float32) for a in case["p"].arrays().values()))
    run = gru.gru_forward(case["xs"], p, case["h0"])
    g = gru.gru_backward(case["dh"], run)
    for name in ("h", "r", "z", "n", "hn", "xs", "h0"):
        assert getattr(run, name).dtype == np.float32, name
    for name in (*PARAMS, "x", "h0", "h_norm"):
        assert getattr(g, name).dtype == np.float32, name
    h, cache = gru.gru_step(case["xs"][0], case["h0"], p)
    dx, dh_prev, grads = gru.gru_step_backward(case["dh"][0], cache)
    assert {h.dtype, dx.dtype, dh_prev.dtype, *(a.dtype for a in grads.values())} == {np.dtype(np.float32)}
    np.testing.assert_allclose(run.h, gru.gru_forward(case["xs"], case["p"], case["h0"]).h, rtol=0, atol=1e-5)


def test_bad_parameters_give_errors_naming_the_argument():
    p = gru.GRUParams.init(3, 4, seed=0)
    W_x, W_h, b_x, b_h = p.arrays().values()
    cases = [
        ((W_x[:, :0], W_h, b_x, b_h), r"W_x: expected shape \(3H, D\) = \(12, D\) with D >= 1"),
        ((W_x[:8], W_h, b_x, b_h), r"W_x: expected shape \(3H, D\) = \(12, D\).*got \(8, 3\)"),
        ((W_x, W_h[:, :3], b_x, b_h), r"W_h: expected shape \(3H, H\).*got \(12, 3\)"),
        ((W_x, W_h, b_x[:4], b_h), r"b_x: expected shape \(3H,\) = \(12,\).*got \(4,\)"),
        ((W_x, W_h, b_x, b_h[None]), r"b_h: expected shape \(3H,\) = \(12,\).*got \(1, 12\)"),
        ((np.array(["a"]), W_h, b_x, b_h), "W_x: expected a numeric array"),
    ]
    for args, msg in cases:
        with pytest.raises(ValueError, match=msg):
            gru.GRUParams(*args)
    for kwargs, msg in (
        ({"input_size": 0, "hidden_size": 4}, "input_size: expected a positive integer, got 0"),
        ({"input_size": 3, "hidden_size": 2.5}, "hidden_size: expected a positive integer, got 2.5"),
        ({"input_size": 3, "hidden_size": True}, "hidden_size: expected a positive integer, got True"),
        ({"input_size": 3, "hidden_size": 4, "dtype": np.int32}, "dtype: expected np.float32 or np.float64"),
    ):
        with pytest.raises(ValueError, match=msg):
            gru.GRUParams.init(**kwargs)
    p.W_hz[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"parameters W_h contains 1 NaN \(first at index \(5, 2\)\).*diverged"):
        gru.gru_forward(np.zeros((2, 1, 3)), p)


def test_bad_inputs_give_errors_naming_the_argument():
    case = make_case(3, 2, 3, 4, seed=0)
    p, xs = case["p"], case["xs"]
    run = gru.gru_forward(xs, p)
    bad_xs = xs.copy()
    bad_xs[1, 0, 2] = np.inf
    for call, msg in (
        (lambda: gru.gru_forward(xs[0], p), r"xs: expected a 3-D array of shape \(T, B, D\)"),
        (lambda: gru.gru_forward(xs[:, :, :2], p), r"xs: expected shape \(T, B, D\).*D is 2, expected 3"),
        (lambda: gru.gru_forward(bad_xs, p), r"xs contains 1 inf \(first at index \(1, 0, 2\)\)"),
        (lambda: gru.gru_forward(xs, p, np.zeros((2, 5))), r"h0: expected shape \(B, H\).*H is 5, expected 4"),
        (lambda: gru.gru_forward(xs, lstm_core.LSTMParams.init(3, 4)), "p: expected GRUParams, got LSTMParams"),
        (lambda: gru.gru_backward(np.zeros((3, 2, 5)), run), r"dh: expected shape \(T, B, H\).*H is 5, expected 4"),
        (lambda: gru.gru_backward(case["dh"], "run"), "run: expected the GRURun returned by gru_forward, got str"),
        (lambda: gru.gru_step(xs[0, :, :2], case["h0"], p), r"x: expected shape \(B, D\).*D is 2, expected 3"),
        (lambda: gru.gru_step(xs[0], None, p), r"h_prev: expected an array of shape \(B, H\) = \(2, 4\), got None"),
        (lambda: gru.gru_step(xs[0], case["h0"][:1], p), r"h_prev: expected shape \(B, H\).*B is 1, expected 2"),
        (lambda: gru.gru_step_backward(np.zeros((2, 4)), ()), "cache: expected the cache returned by gru_step"),
    ):
        with pytest.raises(ValueError, match=msg):
            call()
    _, cache = gru.gru_step(xs[0], case["h0"], p)
    with pytest.raises(ValueError, match=r"dh: expected shape \(B, H\) = \(2, 4\)"):
        gru.gru_step_backward(np.zeros((2, 3)), cache)


@PATHS
def test_writing_into_returned_arrays_cannot_change_a_later_backward(path):
    case = make_case(5, 3, 4, 5, seed=7)
    p, xs, h0, dh = case["p"], case["xs"].copy(), case["h0"].copy(), case["dh"]
    run = path.gru_forward(xs, p, h0)
    g1 = path.gru_backward(dh, run)
    kept = {k: getattr(g1, k).copy() for k in (*PARAMS, "x", "h0", "h_norm")}
    # what the run holds is read-only ...
    for name in ("h", "r", "z", "n", "hn", "xs", "h0"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(run, name)[...] = 0.0
    for name, a in run.params.arrays().items():
        with pytest.raises(ValueError, match="read-only"):
            a[...] = 0.0
        assert not np.shares_memory(a, p.arrays()[name])
    # ... and copied from the caller's arrays, which the caller may change
    xs[...], h0[...] = 1.0, 1.0
    for a in p.arrays().values():
        a[...] = 0.5
    # the gradients are the caller's to change (training zeroes frozen rows in place)
    for k in kept:
        getattr(g1, k)[...] = -1.0
    g2 = path.gru_backward(dh, run)
    for k, v in kept.items():
        np.testing.assert_array_equal(getattr(g2, k), v, err_msg=k)


def test_writing_into_step_results_or_inputs_cannot_change_the_step_backward():
    case = make_case(1, 2, 3, 4, seed=3)
    p, x, h_prev, dh = case["p"], case["xs"][0].copy(), case["h0"].copy(), case["dh"][0]
    h, cache = gru.gru_step(x, h_prev, p)
    want = gru.gru_step_backward(dh, cache)
    h[...], x[...], h_prev[...] = 3.0, 3.0, 3.0
    for a in p.arrays().values():
        a[...] = 3.0
    for a in (want[0], want[1], *want[2].values()):
        a += 0.0  # results are fresh, writable arrays
    got = gru.gru_step_backward(dh, cache)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    for k in PARAMS:
        np.testing.assert_array_equal(got[2][k], want[2][k], err_msg=k)
