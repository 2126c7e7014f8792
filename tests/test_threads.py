"""no_grad and detect_anomaly are per thread: one thread's block never changes what another records
or checks. Barriers interleave the threads deterministically: each step happens while the other
thread is known to be inside its block."""
import math
import threading

from autograd import Value, detect_anomaly, is_grad_enabled, no_grad


def _run(*targets):
    errors = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 - re-raised in the main thread below
                errors.append(e)
                barrier.abort()
        return run
    barrier.reset()
    threads = [threading.Thread(target=guard(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


barrier = threading.Barrier(2, timeout=10)


def test_no_grad_in_one_thread_and_detect_anomaly_in_another_do_not_affect_each_other():
    seen = {}

    def quiet():
        with no_grad():
            barrier.wait()                      # 1: both blocks are open
            y = Value(2.0) * 3.0
            seen["quiet_records"] = bool(y.op)
            seen["quiet_overflow"] = (Value(1e200) * 1e200).data  # anomaly is off here
            barrier.wait()                      # 2
        barrier.wait()                          # 3: this block is closed, the other still open
        seen["quiet_after"] = is_grad_enabled()

    def checked():
        with detect_anomaly():
            barrier.wait()                      # 1
            y = Value(2.0) * 3.0
            seen["checked_records"] = bool(y.op)
            try:
                Value(1e200) * 1e200
            except FloatingPointError:
                seen["checked_raised"] = True
            barrier.wait()                      # 2
            barrier.wait()                      # 3
            seen["checked_still_records"] = is_grad_enabled()

    _run(quiet, checked)
    assert seen == {"quiet_records": False, "quiet_overflow": math.inf, "checked_records": True,
                    "checked_raised": True, "quiet_after": True, "checked_still_records": True}


def test_a_block_in_a_thread_leaves_the_main_thread_alone():
    def inside():
        with no_grad(), detect_anomaly():
            barrier.wait()
            barrier.wait()

    def main_side():
        barrier.wait()
        x = Value(1.0)
        y = x * 1e308 * 10.0   # no anomaly check here: IEEE inf
        assert y.op and y.data == math.inf and is_grad_enabled()
        barrier.wait()

    _run(inside, main_side)


def test_backward_in_two_threads_on_separate_graphs_gives_each_its_own_gradients():
    results = {}

    def train(name, scale):
        def run():
            xs = [Value(float(i)) for i in range(200)]
            barrier.wait()
            loss = sum((x * scale).tanh() for x in xs)
            with detect_anomaly() if name == "a" else no_grad():
                barrier.wait()
                if name == "a":
                    loss.backward()
            results[name] = [x.grad for x in xs]
        return run

    _run(train("a", 0.01), train("b", 0.02))
    assert results["a"] == [0.01 * (1 - math.tanh(0.01 * i) ** 2) for i in range(200)]
    assert results["b"] == [0.0] * 200


def _shared_object_test(make, outer, state):
    """Thread a enters `shared` from the default state; thread b enters it from inside `outer`. Each
    thread must get back its own previous state when it leaves, whatever the interleaving."""
    shared = make()
    after = {}

    def a():
        with shared:
            barrier.wait()                      # 1: a is inside
            barrier.wait()                      # 2: b is inside too
        after["a"] = state()                    # a left first
        barrier.wait()                          # 3

    def b():
        with outer:
            barrier.wait()                      # 1
            with shared:
                barrier.wait()                  # 2
                barrier.wait()                  # 3: a has left
            after["b inside outer"] = state()
        after["b"] = state()

    _run(a, b)
    return after


def test_one_no_grad_object_shared_by_two_threads_gives_each_its_own_state_back():
    after = _shared_object_test(no_grad, no_grad(), is_grad_enabled)
    assert after == {"a": True, "b inside outer": False, "b": True}


def test_one_detect_anomaly_object_shared_by_two_threads_gives_each_its_own_state_back():
    from autograd import engine
    after = _shared_object_test(lambda: detect_anomaly(False), detect_anomaly(),
                                lambda: engine._state.anomaly)
    assert after == {"a": False, "b inside outer": True, "b": False}


def test_one_no_grad_object_entered_inside_itself_restores_recording():
    ng = no_grad()
    with ng:
        with ng:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
