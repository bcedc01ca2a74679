/* pinnc.h - the public C API of libpinnc: physics-informed neural networks in C17.
 *
 * The library is organised in layers (see docs/engine.md and DESIGN.md); each layer has its own
 * header under include/pinnc/ and this file includes them all.  Conventions everywhere:
 *   - functions are named pinn_<module>_<verb>; objects have init/free pairs;
 *   - fallible functions return pinn_status and fill a pinn_error (may be NULL);
 *   - the library never prints to stdout and never exits;
 *   - parameters and gradients are flat arrays of pinn_real. */
#ifndef PINNC_H
#define PINNC_H

#include "pinnc/core.h"
#include "pinnc/jet.h"
#include "pinnc/cfg.h"
#include "pinnc/subnets.h"
#include "pinnc/model.h"
#include "pinnc/ctx.h"
#include "pinnc/optim.h"
#include "pinnc/term.h"
#include "pinnc/expr.h"
#include "pinnc/geom.h"
#include "pinnc/ref.h"
#include "pinnc/problem.h"
#include "pinnc/train.h"
#include "pinnc/objective.h"
#include "pinnc/weighting.h"
#include "pinnc/solve.h"
#include "pinnc/report.h"

#endif
