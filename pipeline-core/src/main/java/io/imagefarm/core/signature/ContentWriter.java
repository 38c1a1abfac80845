package io.imagefarm.core.signature;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;

/** The registry writes signing needs, besides the reads: blobs first, then the manifest that names them. */
public interface ContentWriter extends ContentReader {

    /** Uploads a blob unless the repository has it already; returns its digest. */
    String pushBlob(Repository repository, byte[] content);

    /** Puts a manifest under a tag; returns its digest. */
    String putManifest(ImageRef tag, String mediaType, byte[] body);
}
