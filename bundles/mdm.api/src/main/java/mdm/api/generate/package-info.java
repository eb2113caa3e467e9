/** Generating images (or clips) from a checkpoint. */
@Version("2.0.0")
@Export
package mdm.api.generate;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
