/** Denoising backbones (UNet, NestedUNet) and what they consume. */
@Version("1.1.0")
@Export
package mdm.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
