/** Noise schedules, prediction types and samplers of the multi-resolution diffusion process. */
@Version("2.0.0")
@Export
package mdm.api.diffusion;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
