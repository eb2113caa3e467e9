/** Conditioners: class labels, text, frames → token features for cross-attention. */
@Version("2.1.0")
@Export
package mdm.api.conditioning;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
