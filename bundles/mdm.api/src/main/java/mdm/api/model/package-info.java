/** Denoising backbones (UNet, NestedUNet) and what they consume. */
@Version("2.0.0")
@Export
package mdm.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
