package io.imagefarm.hasher.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.testsupport.HostileSourceUrls;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SourceUrlPolicyTest {

    static final SourceRepository WIDGET = SourceRepository.parse("acme/widget");
    final SourceUrlPolicy policy = new SourceUrlPolicy("https://github.com/{repository}.git",
            List.of("https://github.com/{repository}.git", "file:///srv/mirrors/**"));

    @Test
    void noSourceUrlMeansTheTemplate() {
        assertThat(policy.fromApiCaller(WIDGET, null)).isEqualTo("https://github.com/acme/widget.git");
        assertThat(policy.fromWebhook(WIDGET, null)).isEqualTo("https://github.com/acme/widget.git");
    }

    @Test
    void anApiCallerMayNameOnlyAnAllowedRemoteOfItsRepository() {
        assertThat(policy.fromApiCaller(WIDGET, "HTTPS://GitHub.com/acme/widget.git")).isEqualTo("HTTPS://GitHub.com/acme/widget.git");
        assertThat(policy.fromApiCaller(WIDGET, "file:///srv/mirrors/acme/widget")).isEqualTo("file:///srv/mirrors/acme/widget");
        assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "https://github.com/evil/widget.git"))
                .isInstanceOf(InvalidSourceUrlException.class).hasMessageContaining("not allowed for repository acme/widget");
        assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "https://github.com/ACME/widget.git"))
                .as("the path compares exactly, as the workers compare it").isInstanceOf(InvalidSourceUrlException.class);
        assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "https://evil.example/acme/widget.git"))
                .isInstanceOf(InvalidSourceUrlException.class);
    }

    @Test
    void theCompiledPatternsOfARepositoryJudgeLikeFreshOnesForEveryRepository() {
        for (int round = 0; round < 2; round++) { // the second round uses the patterns compiled in the first
            assertThat(policy.fromApiCaller(WIDGET, "https://github.com/acme/widget.git")).isEqualTo("https://github.com/acme/widget.git");
            assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "https://github.com/acme/other.git"))
                    .isInstanceOf(InvalidSourceUrlException.class);
            SourceRepository other = SourceRepository.parse("acme/other");
            assertThat(policy.fromApiCaller(other, "https://github.com/acme/other.git")).isEqualTo("https://github.com/acme/other.git");
            assertThatThrownBy(() -> policy.fromApiCaller(other, "https://github.com/acme/widget.git"))
                    .isInstanceOf(InvalidSourceUrlException.class);
        }
        for (int i = 0; i <= io.imagefarm.git.SourceUrlRules.MAX_COMPILED; i++) { // past the bound, still judged the same
            SourceRepository r = SourceRepository.parse("acme/r" + i);
            assertThat(policy.fromApiCaller(r, "https://github.com/acme/r" + i + ".git")).isEqualTo("https://github.com/acme/r" + i + ".git");
        }
        assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "https://github.com/acme/r0.git")).isInstanceOf(InvalidSourceUrlException.class);
    }

    @Test
    void anApiCallersUrlWithCredentialsIsRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "https://user:SECRET@github.com/acme/widget.git"))
                .isInstanceOf(InvalidSourceUrlException.class).hasMessageContaining("credentials").hasMessageNotContaining("SECRET");
    }

    @Test
    void aSignedWebhooksCloneUrlLosesItsCredentialsInEitherFormAndMustPassTheSameRules() {
        assertThat(policy.fromWebhook(WIDGET, "https://x-access-token:SECRET@github.com/acme/widget.git"))
                .isEqualTo("https://github.com/acme/widget.git");
        // java.net.URI sees no user info here (a registry-based authority), but it is one
        assertThat(policy.fromWebhook(WIDGET, "file://user:SECRET@/srv/mirrors/acme/widget"))
                .isEqualTo("file:///srv/mirrors/acme/widget");
        assertThat(policy.fromWebhook(WIDGET, "file:///srv/mirrors/acme/widget")).isEqualTo("file:///srv/mirrors/acme/widget");
        assertThatThrownBy(() -> policy.fromWebhook(WIDGET, "file:///tmp/sample"))
                .as("a remote the workers would refuse is refused here").isInstanceOf(InvalidSourceUrlException.class)
                .hasMessageContaining("imagefarm.hasher.source.allowed-url-patterns");
        assertThatThrownBy(() -> policy.fromWebhook(WIDGET, "https://github.com/acme/widget.git?upload-pack=x"))
                .isInstanceOf(InvalidSourceUrlException.class);
    }

    @Test
    void theHasherRefusesExactlyTheHostileUrlsTheWorkersRefuseWithoutEchoingACredential() {
        SourceUrlPolicy shared = new SourceUrlPolicy("https://github.com/{repository}.git", HostileSourceUrls.PATTERNS);
        SourceRepository repository = SourceRepository.parse(HostileSourceUrls.REPOSITORY);
        Set<String> refused = new HashSet<>();
        for (HostileSourceUrls.Case c : HostileSourceUrls.CASES) {
            try {
                shared.fromApiCaller(repository, c.url());
            } catch (InvalidSourceUrlException e) {
                refused.add(c.url());
                assertThat(e.getMessage()).as(c.url()).doesNotContain(HostileSourceUrls.SECRET);
            }
        }
        assertThat(refused).isEqualTo(HostileSourceUrls.refused());
    }

    @Test
    void somethingThatIsNotAUrlIsRefused() {
        assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "not a url")).isInstanceOf(InvalidSourceUrlException.class);
        assertThatThrownBy(() -> policy.fromApiCaller(WIDGET, "github.com/acme/widget.git")).hasMessageContaining("no scheme");
    }
}
