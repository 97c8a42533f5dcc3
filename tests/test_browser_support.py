"""The browser watcher's one assumption about Streamlit's protocol, checked without a browser."""

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser_support import COUNT_RUNS


def test_the_end_of_a_run_is_the_two_bytes_the_watcher_counts():
    over = ForwardMsg()
    over.session_status_changed.script_is_running = False
    assert over.SerializeToString() == bytes([0x4A, 0x00])
    assert "0x4a" in COUNT_RUNS and "bytes[1] === 0" in COUNT_RUNS
    running = ForwardMsg()
    running.session_status_changed.script_is_running = True
    assert len(running.SerializeToString()) > 2  # a run starting is never counted as one ending
