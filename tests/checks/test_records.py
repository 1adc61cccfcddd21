"""Check records: JSON-safe, bounded, deterministic; records_match re-decides checks outside the kernel."""

import json

import numpy as np
import pytest

from fclab import checks
from fclab.checks import records_match


def _record(fn, *args, **kwargs):
    """Run a check, return the record it emitted (whether it passed or not)."""
    before = len(checks.records)
    try:
        fn(*args, **kwargs)
    except AssertionError:
        pass
    assert len(checks.records) == before + 1 or len(checks.records) == checks._records.MAX_KEPT
    return checks.records[-1]


def _strip_seq(record):
    return {k: v for k, v in record.items() if k != "seq"}


def test_record_format_for_check_close():
    got = np.array([[1.0, np.nan], [np.inf, -np.inf]], dtype="float32")
    record = _record(checks.check_close, got, np.ones((2, 2), "float32"), rtol=1e-4, atol=1e-5, name="out")
    assert set(record) == {"v", "check", "name", "seq", "passed", "got", "expected", "rtol", "atol", "exercise",
                           "hidden", "seed", "diagnoses"}
    assert record["v"] == 2 and record["check"] == "check_close" and record["name"] == "out"
    assert record["passed"] is False and record["rtol"] == 1e-4 and record["atol"] == 1e-5
    assert record["got"] == {"shape": [2, 2], "dtype": "float32", "data": [1.0, "nan", "inf", "-inf"]}
    json.dumps(record, allow_nan=False)  # strict JSON: no NaN literals, no numpy types


def test_float32_values_round_trip_exactly():
    values = np.random.default_rng(0).normal(size=100).astype("float32") * 1e-3
    record = _record(checks.check_close, values, values)
    decoded = np.array(json.loads(json.dumps(record))["got"]["data"], dtype="float32")
    np.testing.assert_array_equal(decoded, values)


def test_large_arrays_are_sampled_deterministically_and_bounded():
    rng = np.random.default_rng(1)
    big = rng.normal(size=(300, 40))  # float64, 12000 entries
    first = _record(checks.check_close, big, big.copy())
    again = _record(checks.check_close, big.copy(), big)
    assert _strip_seq(first) == _strip_seq(again)
    got = first["got"]
    assert "data" not in got and len(got["sample_idx"]) == 64 == len(got["sample"])
    assert got["sum"] == pytest.approx(big.sum()) and got["abs_sum"] == pytest.approx(np.abs(big).sum())
    assert first["seq"] + 1 == again["seq"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_record_size_is_bounded_at_the_full_data_limit(dtype):
    values = (np.random.default_rng(2).normal(size=2048) * 1e-5).astype(dtype)
    record = _record(checks.check_close, -values, values)
    assert "data" in record["got"]
    assert len(json.dumps(record)) < 70_000


def test_records_of_each_check_are_json():
    kinds = []
    for fn, args in [
        (checks.check_shape, (np.zeros((2, 3)), (None, 3))),
        (checks.check_equal, ((2, 3), (2, 3))),
        (checks.check_true, (True, "it holds")),
        (checks.check_function, (np.negative, np.negative, [np.arange(3.0)])),
        (checks.check_accuracy, (lambda x: np.eye(2), None, np.array([0, 1]), 0.5)),
    ]:
        record = _record(fn, *args)
        json.dumps(record, allow_nan=False)
        assert record["passed"] is True
        kinds.append(record["check"])
    assert kinds == ["check_shape", "check_equal", "check_true", "check_function", "check_accuracy"]


# ---- records_match ----------------------------------------------------------------------------------------

@pytest.fixture
def arrays():
    rng = np.random.default_rng(3)
    return rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(50, 60)).astype("float32")


def test_match_accepts_an_honest_student(arrays):
    small, big = arrays
    for expected in (small, big):
        trusted = _record(checks.check_close, expected, expected)
        student = _record(checks.check_close, expected * (1 + 1e-7), expected)
        ok, reason = records_match(trusted, student)
        assert ok, reason


def test_match_rejects_wrong_values_even_when_record_claims_passed(arrays):
    small, _ = arrays
    trusted = _record(checks.check_close, small, small)
    wrong = small.copy()
    wrong[1, 0] += 0.02
    student = _record(checks.check_close, wrong, small)
    assert student["passed"] is False
    forged = dict(student, passed=True)
    ok, reason = records_match(trusted, forged)
    assert not ok
    assert "(1, 0)" in reason and "check_close 'output'" in reason and "rtol=1e-05" in reason


def test_match_rejects_a_student_who_faked_expected(arrays):
    small, _ = arrays
    trusted = _record(checks.check_close, small, small)
    cheat = _record(checks.check_close, small + 1, small + 1)  # test edited to compare got with itself
    ok, reason = records_match(trusted, cheat)
    assert not ok and "altered" in reason


def test_match_rejects_loosened_tolerance_and_other_checks(arrays):
    small, _ = arrays
    trusted = _record(checks.check_close, small, small)
    loose = _record(checks.check_close, small + 0.1, small, atol=1.0)
    ok, reason = records_match(trusted, loose)
    assert not ok and "atol" in reason
    other = _record(checks.check_close, small, small, name="hidden")
    ok, reason = records_match(trusted, other)
    assert not ok and "'hidden'" in reason


def test_match_on_sampled_arrays_checks_samples_and_sums(arrays):
    _, big = arrays
    trusted = _record(checks.check_close, big, big)
    off = big.copy()
    off[0, 0] += 0.5  # very likely not a sampled entry: caught by the sums
    student = dict(_record(checks.check_close, off, big), passed=True)
    sampled = set(trusted["got"]["sample_idx"])
    assert 0 not in sampled
    ok, reason = records_match(trusted, student)
    assert not ok and "sum" in reason
    idx = trusted["got"]["sample_idx"][5]
    off = big.copy().reshape(-1)
    off[idx] += 0.5
    student = dict(_record(checks.check_close, off.reshape(big.shape), big), passed=True)
    ok, reason = records_match(trusted, student)
    assert not ok and "sampled index" in reason


def test_match_inconsistent_passed_flag(arrays):
    small, _ = arrays
    trusted = _record(checks.check_close, small, small)
    student = dict(_record(checks.check_close, small, small), passed=False)
    ok, reason = records_match(trusted, student)
    assert not ok and "inconsistent" in reason


def test_match_other_kinds():
    t = _record(checks.check_shape, np.zeros((4, 10)), (None, 10))
    assert records_match(t, _record(checks.check_shape, np.zeros((7, 10)), (None, 10)))[0]
    bad = dict(_record(checks.check_shape, np.zeros((7, 9)), (None, 10)), passed=True)
    assert not records_match(t, bad)[0]

    t = _record(checks.check_equal, 20, 20, name="params")
    assert records_match(t, _record(checks.check_equal, 20, 20, name="params"))[0]
    ok, reason = records_match(t, dict(_record(checks.check_equal, 26, 20, name="params"), passed=True))
    assert not ok and "26" in reason

    t = _record(checks.check_true, True, "loss went down")
    ok, reason = records_match(t, dict(_record(checks.check_true, False, "loss went down"), passed=True))
    assert not ok and "not true" in reason

    t = _record(checks.check_accuracy, lambda x: np.eye(2), None, np.array([0, 1]), 0.9)
    low = dict(_record(checks.check_accuracy, lambda x: np.eye(2)[[0, 0]], None, np.array([0, 1]), 0.9),
               passed=True)
    ok, reason = records_match(t, low)
    assert not ok and "0.5" in reason and "0.9" in reason
    lowered = _record(checks.check_accuracy, lambda x: np.eye(2)[[0, 0]], None, np.array([0, 1]), 0.4)
    ok, reason = records_match(t, lowered)
    assert not ok and "at_least" in reason


def test_match_check_function_errors_and_cases():
    cases = [np.arange(3.0), np.arange(4.0)]
    trusted = _record(checks.check_function, np.negative, np.negative, cases[:1])
    raised = _record(checks.check_function, lambda a: a.nope, np.negative, cases[:1], name="negative")
    ok, reason = records_match(trusted, dict(raised, passed=True))
    assert not ok and "a different check ran here" in reason  # a raising answer leaves a "call" record
    malformed = records_match(trusted, {"v": 1, "check": "check_function", "name": "negative", "case": 0,
                                        "rtol": 1e-5, "atol": 1e-6})
    assert not malformed[0] and "malformed" in malformed[1]
    assert not records_match(trusted, "not a record")[0]


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 12), min_size=1, max_size=3), seed=st.integers(0, 2**16),
       scale=st.sampled_from([1e-3, 1.0, 1e3]), factor=st.floats(0.2, 3.0), dtype=st.sampled_from(["float32", "float64"]))
def test_property_records_match_redecides_exactly_what_the_kernel_decided(shape, seed, scale, factor, dtype):
    rng = np.random.default_rng(seed)
    expected = (rng.normal(size=shape) * scale).astype(dtype)
    rtol, atol = 1e-5, 1e-6
    noise = rng.normal(size=shape) * (atol + rtol * np.abs(expected)) * factor
    got = (expected + noise).astype(dtype)
    trusted = _record(checks.check_close, expected, expected, rtol=rtol, atol=atol)
    student = _record(checks.check_close, got, expected, rtol=rtol, atol=atol)
    ok, reason = records_match(trusted, student)
    if dtype == "float32":  # float32 values are recorded exactly: the same decision, always
        assert ok == student["passed"], reason
        assert records_match(trusted, dict(student, passed=True))[0] == student["passed"]
    else:  # float64 values are rounded to 9 digits; the slack only widens: never reject what the kernel passed
        assert ok or not student["passed"], reason


def test_match_check_true_messages_with_run_time_values():
    trusted = _record(checks.check_true, True, "loss 0.412 below 0.5, model <M at 0x7f3a12>, p [0.5  0.25]")
    student = _record(checks.check_true, True, "loss 0.389 below 0.5, model <M at 0x7f99aa>, p [0.51 0.3 ]")
    assert records_match(trusted, student)[0]
    other = _record(checks.check_true, True, "accuracy 0.389 above 0.5, model <M at 0x7f99aa>, p [0.51 0.3 ]")
    ok, reason = records_match(trusted, other)
    assert not ok and "name" in reason
