/**
 * The machinery every dataset shares: a deterministic stream over a random-access source, shuffled
 * per epoch from the seed, decoded by a small thread pool with prefetch, resumable from a saved
 * {@link mdm.api.data.StreamPosition}, with a configurable policy for bad entries.
 */
@Version("1.0.0")
@Export
package mdm.core.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
