package mdm.api;

/**
 * The checkpoint asked to generate holds no generative model yet: for example latent diffusion
 * during its autoencoder stage. Callers that walk over checkpoints (a study's evaluation points)
 * record such a point as not measurable instead of failing.
 */
public class NothingToSampleException extends MdmException {
    private static final long serialVersionUID = 1L;

    public NothingToSampleException(String message) {
        super(message);
    }
}
