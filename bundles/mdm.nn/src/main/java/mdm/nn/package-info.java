/**
 * UNet building blocks with ml-mdm state-dict names: parameters by key ({@link mdm.nn.ParamStore},
 * {@link mdm.nn.Params}), ResNet, spatial attention with cross-attention, 1-D attention blocks,
 * time and micro-conditioning embeddings, resampling stages and temporal attention.
 */
@Version("1.1.0")
@Export
package mdm.nn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
