package io.imagefarm.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Link header pagination, as distribution (relative links) and GitHub (absolute, several rels) send it. */
class LinkHeaderTest {

    @Test
    void distributionsRelativeNextLinkIsFoundWithItsQuery() {
        String header = "</v2/acme/widget/tags/list?n=2&last=t1>; rel=\"next\"";

        assertThat(LinkHeader.next(header)).hasValue(URI.create("/v2/acme/widget/tags/list?n=2&last=t1"));
        assertThat(LinkHeader.query(LinkHeader.next(header).orElseThrow())).containsEntry("n", "2").containsEntry("last", "t1");
    }

    @Test
    void githubsNextIsPickedAmongTheOtherRelations() {
        String header = "<https://api.github.com/organizations/1/packages/container/tools%2Fwidget/versions?per_page=2&page=1>; rel=\"prev\", "
                + "<https://api.github.com/organizations/1/packages/container/tools%2Fwidget/versions?per_page=2&page=3>; rel=\"next\", "
                + "<https://api.github.com/organizations/1/packages/container/tools%2Fwidget/versions?per_page=2&page=9>; rel=\"last\"";

        URI next = LinkHeader.next(header).orElseThrow();

        assertThat(LinkHeader.query(next)).containsEntry("page", "3").containsEntry("per_page", "2");
        assertThat(next.getRawPath()).endsWith("/tools%2Fwidget/versions");
    }

    @Test
    void unquotedCaseInsensitiveAndMultiValuedRelationsCount() {
        assertThat(LinkHeader.next("</a?last=x>; rel=next")).hasValue(URI.create("/a?last=x"));
        assertThat(LinkHeader.next("</a?last=x>;rel=\"NEXT\"")).hasValue(URI.create("/a?last=x"));
        assertThat(LinkHeader.next("</a?last=x>; type=\"text/plain\"; rel=\"last next\"")).hasValue(URI.create("/a?last=x"));
    }

    @Test
    void noHeaderOrNoNextMeansTheLastPage() {
        assertThat(LinkHeader.next(null)).isEmpty();
        assertThat(LinkHeader.next("")).isEmpty();
        assertThat(LinkHeader.next("<https://x/?page=1>; rel=\"first\", <https://x/?page=1>; rel=\"prev\"")).isEmpty();
        assertThat(LinkHeader.next("<https://x/?page=2>; rel=\"nextish\"")).isEmpty();
    }

    @Test
    void queryValuesAreDecoded() {
        assertThat(LinkHeader.query(URI.create("/v2/a/tags/list?last=a%2Bb&n=5"))).containsEntry("last", "a+b").containsEntry("n", "5");
        assertThat(LinkHeader.query(URI.create("/v2/a/tags/list"))).isEmpty();
    }
}
