using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Augment;

/// <summary>
/// The affine operations of torchvision 0.14 (<c>F.affine</c>, <c>F.rotate</c>) on uint8 batches [B,C,H,W], each
/// image with its own matrix: the inverse matrix of <c>_get_inverse_affine_matrix</c>, the sampling grid of
/// <c>_gen_affine_grid</c>, nearest-neighbour <c>grid_sample</c> with zeros outside (fill None), rounded back to uint8.
/// </summary>
internal static class GeometricOps
{
    // Python's math.radians and math.degrees.
    private const double DegToRad = Math.PI / 180.0, RadToDeg = 180.0 / Math.PI;

    /// <summary>Horizontal (<paramref name="vertical"/> false) or vertical shear by factor m, about the top-left corner.</summary>
    public static Tensor Shear(Tensor images, double[] factors, bool vertical)
    {
        double cx = -0.5 * images.shape[3], cy = -0.5 * images.shape[2];
        return Warp(images, factors.Select(m =>
        {
            double degrees = Math.Atan(m) * RadToDeg;
            return InverseAffine(cx, cy, 0, 0, 0, vertical ? 0 : degrees, vertical ? degrees : 0);
        }));
    }

    /// <summary>Shifts image i by <paramref name="pixels"/>[i] whole pixels, horizontally or vertically.</summary>
    public static Tensor Translate(Tensor images, int[] pixels, bool vertical) =>
        Warp(images, pixels.Select(p => InverseAffine(0, 0, 0, vertical ? 0 : p, vertical ? p : 0, 0, 0)));

    /// <summary>Rotates image i by <paramref name="degrees"/>[i] counter-clockwise about its centre.</summary>
    public static Tensor Rotate(Tensor images, double[] degrees) =>
        Warp(images, degrees.Select(a => InverseAffine(0, 0, -a, 0, 0, 0, 0)));

    /// <summary>
    /// torchvision's <c>_get_inverse_affine_matrix</c> at scale 1: the 2×3 matrix taking output to input coordinates
    /// (origin at the image centre), for a rotation by <paramref name="angle"/> degrees and shears in degrees about
    /// (<paramref name="cx"/>, <paramref name="cy"/>), then a translation.
    /// </summary>
    private static double[] InverseAffine(double cx, double cy, double angle, double tx, double ty, double shearX, double shearY)
    {
        double rot = angle * DegToRad, sx = shearX * DegToRad, sy = shearY * DegToRad;
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        double[] m = [d, -b, 0, -c, a, 0];
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
        m[2] += cx;
        m[5] += cy;
        return m;
    }

    /// <summary>Samples image i at the grid of matrix i (nearest, zeros outside): <c>_gen_affine_grid</c> + <c>_apply_grid_transform</c>.</summary>
    private static Tensor Warp(Tensor images, IEnumerable<double[]> matrices)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        var device = images.device;
        var theta = tensor(matrices.SelectMany(m => m.Select(v => (float)v)).ToArray(), device: device).view(n, 2, 3);
        var xs = linspace(-w * 0.5 + 0.5, w * 0.5 + 0.5 - 1, w, device: device);
        var ys = linspace(-h * 0.5 + 0.5, h * 0.5 + 0.5 - 1, h, device: device);
        var baseGrid = stack([xs.view(1, w).expand(h, w), ys.view(h, 1).expand(h, w), ones(h, w, device: device)], 2);
        var rescaled = theta.transpose(1, 2).div(tensor(new[] { 0.5f * w, 0.5f * h }, device: device));
        var grid = baseGrid.view(1, h * w, 3).expand(n, h * w, 3).bmm(rescaled).view(n, h, w, 2);
        var sampled = nn.functional.grid_sample(images.to(float32), grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        return sampled.round_().to(ScalarType.Byte).MoveToOuterDisposeScope();
    }
}
