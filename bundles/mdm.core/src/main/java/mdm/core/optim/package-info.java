/** Optimisation DJL lacks in the form we need: AdamW on named tensors, global-norm clipping, EMA, LR schedules. */
@Version("2.0.0")
@Export
package mdm.core.optim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
