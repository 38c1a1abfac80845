package io.imagefarm.worker.buildx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.worker.job.BuildOutcome;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {

    @Test
    void aFailedRunStepIsAPermanentBuildError() {
        BuildOutcome.Failed f = FailureClassifier.classify(
                "ERROR: failed to solve: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3", "tail");
        assertThat(f.kind()).isEqualTo(FailureKind.BUILD_ERROR);
        assertThat(f.kind().isTransient()).isFalse();
        assertThat(f.reason()).startsWith("ERROR: failed to solve");
        assertThat(f.logTail()).isEqualTo("tail");
    }

    @Test
    void aDockerfileSyntaxErrorIsAPermanentBuildError() {
        BuildOutcome.Failed f = FailureClassifier.classify(
                "ERROR: failed to solve: dockerfile parse error on line 2: unknown instruction: RUNN", "");
        assertThat(f.kind()).isEqualTo(FailureKind.BUILD_ERROR);
        assertThat(f.kind().isTransient()).isFalse();
    }

    @Test
    void aRegistryThatRefusesConnectionsIsTransient() {
        BuildOutcome.Failed f = FailureClassifier.classify("ERROR: failed to solve: failed to push 127.0.0.1:5000/a/b:t: "
                + "failed to do request: Head \"http://127.0.0.1:5000/v2/a/b/blobs/sha256:1\": dial tcp 127.0.0.1:5000: connect: connection refused", "");
        assertThat(f.kind()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(f.kind().isTransient()).isTrue();
    }

    @Test
    void registry5xxIsTransient() {
        BuildOutcome.Failed f = FailureClassifier.classify(
                "ERROR: failed to solve: failed to push: unexpected status: 503 Service Unavailable", "");
        assertThat(f.kind()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(f.kind().isTransient()).isTrue();
    }

    @Test
    void aManifestPutRefusedWith400IsTransientButABlobPutRefusedIsNot() {
        // As docker 26 printed it, pushing while another client uploaded one of the image's blobs again.
        BuildOutcome.Failed manifest = FailureClassifier.classify("ERROR: failed to solve: failed to push 127.0.0.1:5000/demo/farm:t: "
                + "failed commit on ref \"manifest-sha256:73aa01\": unexpected status from PUT request to "
                + "http://127.0.0.1:5000/v2/demo/farm/manifests/t: 400 Bad Request", "");
        BuildOutcome.Failed blob = FailureClassifier.classify("ERROR: failed to solve: failed to push 127.0.0.1:5000/demo/farm:t: "
                + "unexpected status from PUT request to http://127.0.0.1:5000/v2/demo/farm/blobs/uploads/x: 400 Bad Request", "");

        assertThat(manifest.kind()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(manifest.kind().isTransient()).isTrue();
        assertThat(blob.kind()).isEqualTo(FailureKind.BUILD_ERROR);
    }

    @Test
    void aRefusedLoginIsAPermanentAuthFailure() {
        BuildOutcome.Failed f = FailureClassifier.classify("ERROR: failed to solve: failed to push ghcr.io/a/b:t: "
                + "unexpected status from HEAD request: 401 Unauthorized", "");
        assertThat(f.kind()).isEqualTo(FailureKind.REGISTRY_AUTH);
        assertThat(f.kind().isTransient()).isFalse();
    }

    @Test
    void anUnreachableEngineIsTransient() {
        BuildOutcome.Failed f = FailureClassifier.classify("ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", "");
        assertThat(f.kind()).isEqualTo(FailureKind.ENGINE_UNAVAILABLE);
        assertThat(f.kind().isTransient()).isTrue();
    }
}
