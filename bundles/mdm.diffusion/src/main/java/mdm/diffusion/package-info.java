/**
 * The multi-resolution diffusion process of MDM, shared by the trainer and the samplers: settings in
 * ml-mdm's field names, per-level schedules (resolution shift or signal scaling), noising of every
 * level at one shared time step, prediction-type conversions, targets and losses, x0 thresholding,
 * the reference's time grids and the joint sampling loop with classifier-free guidance.
 */
@Version("2.0.0")
@Export
package mdm.diffusion;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
