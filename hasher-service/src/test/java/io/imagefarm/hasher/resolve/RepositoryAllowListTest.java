package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.image.SourceRepository;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepositoryAllowListTest {

    @Test
    void ownersExactRepositoriesAndOwnerGlobsMatchCaseInsensitively() {
        RepositoryAllowList list = new RepositoryAllowList(List.of("Acme", "octo/widget", "corp/*"));

        assertThat(list.allows(SourceRepository.parse("acme/anything"))).isTrue();
        assertThat(list.allows(SourceRepository.parse("Octo/Widget"))).isTrue();
        assertThat(list.allows(SourceRepository.parse("corp/x"))).isTrue();
        assertThat(list.allows(SourceRepository.parse("octo/other"))).isFalse();
        assertThat(list.allows(SourceRepository.parse("acmeevil/x"))).isFalse();
    }

    @Test
    void emptyListAllowsNobody() {
        assertThat(new RepositoryAllowList(List.of()).allows(SourceRepository.parse("acme/widget"))).isFalse();
    }
}
