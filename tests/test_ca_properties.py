"""Property tests (hypothesis): a ca-certificates binding entry and pip/pipenv output, however
malformed, yield a value or a UserError — never another exception."""
import base64

from hypothesis import given, settings, strategies as st

from libbuild.certificates import parse_entry
from libbuild.errors import UserError
from libbuild.python import failures

PEM_LABELS = st.sampled_from(["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "X509 CRL", "TRUSTED CERTIFICATE"])


@st.composite
def pem_like(draw):
    """Bytes shaped like PEM: random labels around random (sometimes valid base64) bodies, plus noise."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        body = draw(st.binary(max_size=300))
        text = base64.b64encode(body) if draw(st.booleans()) else draw(st.binary(max_size=100))
        label = draw(PEM_LABELS).encode()
        parts.append(draw(st.binary(max_size=20)) + b"-----BEGIN " + label + b"-----\n" + text + b"\n-----END " + label + b"-----\n")
    return b"".join(parts) + draw(st.binary(max_size=50))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=2000), pem_like()))
def test_binding_entry_parses_or_is_refused(data):
    try:
        certs = parse_entry(data, "b/e")
    except UserError as exc:
        assert exc.code == "certificate-entry-invalid"
        return
    assert certs and all(c.pem.startswith("-----BEGIN CERTIFICATE-----\n") for c in certs)


PIP_WORDS = st.sampled_from([
    "Looking in indexes: http://u:p@127.0.0.1:9/simple", "Looking in indexes: ", "host='x'",
    "[Errno 111] Connection refused", "[Errno -2] Name or service not known')", "Read timed out.",
    "CERTIFICATE_VERIFY_FAILED", "certificate verify failed: self-signed certificate (_ssl.c:1)",
    "No matching distribution found for six==1", "(from versions: none)", "Max retries exceeded",
    "NewConnectionError", "is not a trusted or secure host", "repository located at h is not a trusted or secure host",
    "https://", "://", "'", "\"", ")", "ResolutionFailure", "due to an OSError"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.one_of(PIP_WORDS, st.text(max_size=30)), max_size=6).map(" ".join), max_size=8))
def test_pip_output_is_classified_or_left_alone(lines):
    # Probing is real networking: only loopback closed ports can come out of these lines.
    result = failures.explain(lines, "the default package index")
    assert result is None or isinstance(result, UserError)
