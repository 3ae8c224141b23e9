package ai.chorus.prep.io;

import ai.chorus.prep.SampleRejectedException;
import org.apache.hadoop.fs.Path;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Turns a manifest's media reference into a fully qualified URI and refuses any that escapes the
 * corpus root (a {@code ../../etc/passwd} in a scraped manifest must not be read).
 * Relative references resolve against the manifest's folder; {@code file://}, {@code hdfs://} and
 * {@code s3a://} URIs are taken as they are; a bare absolute path lives on the manifest's file system.
 */
public final class MediaPathResolver implements Serializable {
    private final URI base;
    private final String rootPrefix;

    /**
     * @param manifestFolder qualified URI of the folder the manifest is in
     * @param root           qualified URI of the corpus root
     */
    public MediaPathResolver(URI manifestFolder, URI root) {
        this.base = withTrailingSlash(canonical(manifestFolder));
        this.rootPrefix = withTrailingSlash(canonical(root)).toString();
    }

    public Path resolve(String field, String reference) {
        URI resolved;
        try {
            URI ref = new URI(null, null, reference, null);
            if (hasScheme(reference)) {
                ref = new URI(reference);
            } else if (reference.startsWith("/")) {
                ref = new URI(base.getScheme(), base.getAuthority(), reference, null, null);
            }
            resolved = canonical(base.resolve(ref));
        } catch (URISyntaxException e) {
            throw new SampleRejectedException("read", "read.bad-path",
                    field + " '" + reference + "' is not a valid path or URI: " + e.getMessage());
        }
        String text = resolved.toString();
        if (!text.startsWith(rootPrefix) || resolved.getPath() == null || resolved.getPath().contains("/../")) {
            throw new SampleRejectedException("read", "read.path-outside-root",
                    field + " '" + reference + "' resolves to " + text + ", outside the corpus root " + rootPrefix);
        }
        return new Path(resolved);
    }

    private static boolean hasScheme(String reference) {
        int colon = reference.indexOf(':');
        int slash = reference.indexOf('/');
        return colon > 1 && (slash < 0 || colon < slash);
    }

    /** {@code file:///x} and {@code file:/x} are the same place: drop an empty authority, normalise {@code ..}. */
    private static URI canonical(URI uri) {
        URI u = uri.normalize();
        if (u.getAuthority() == null || u.getAuthority().isEmpty()) {
            try {
                return new URI(u.getScheme(), null, u.getPath(), u.getQuery(), u.getFragment());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return u;
    }

    private static URI withTrailingSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }
}
