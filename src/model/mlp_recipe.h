/* mlp_recipe.h - internal: the MLP's training recipes (input embeddings, random weight
 * factorisation, the modified MLP) shared by mlp.c, embed.c and mlp_modified.c. */
#ifndef PINN_MODEL_MLP_RECIPE_H
#define PINN_MODEL_MLP_RECIPE_H

#include "pinnc/model.h"

/* Keys of the model section the recipes read (the mlp kind accepts them). */
#define PINN_MLP_RECIPE_KEYS                                                                                     \
    "periodic", "harmonics", "fourier_features", "fourier_scale", "fourier_trainable", "rwf", "rwf_mean",         \
        "rwf_std", "modified"

/* Reads the recipe keys of mapping node into spec->rec (defaults stored); info gives the box and the
 * coordinate names for `periodic`. */
pinn_status pinn_mlp_recipe_configure(pinn_mlp_spec *spec, pinn_cfg *c, int node, const pinn_model_info *info,
                                      pinn_error *err);
/* 1 if the input goes through an embedding (periodic or Fourier) rather than the plain normalisation. */
int pinn_mlp_embed_active(const pinn_mlp_spec *s);
/* The embedded input: periodic coordinates as cos/sin harmonics, the others normalised (when
 * s->normalize), then Fourier features if asked.  Returns the node and writes its width. */
int pinn_mlp_embed_build(pinn_graph *g, int x, const pinn_mlp_spec *s, int *width);
/* One dense layer h (width in) -> out, slices named with prefix pre: W h + b, or with s->rec.rwf diag(exp(s)) (V h + b).  Slices
 * "<prefix>.W<tag>", "<prefix>.b<tag>" (plain) or "<prefix>.V<tag>", "<prefix>.s<tag>", "<prefix>.b<tag>". */
int pinn_mlp_dense(pinn_graph *g, int h, int in, int out, const pinn_mlp_spec *s, const char *pre, const char *tag);
/* The modified MLP over the embedded input h0 (width w0): returns the output node (width n_out). */
int pinn_mlp_modified_build(pinn_graph *g, int h0, int w0, const pinn_mlp_spec *s);
/* The mlp kind's param_mask: a fixed Fourier matrix is not trained. */
void pinn_mlp_recipe_mask(const void *state, const pinn_graph *g, unsigned char *trainable);

#endif
