/** What training leaves on disk: run folders, their checkpoints, metrics and sample grids. */
@Version("1.0.0")
@Export
package mdm.api.runs;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
