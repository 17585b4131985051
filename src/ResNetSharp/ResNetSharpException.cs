namespace ResNetSharp;

/// <summary>
/// A problem caused by the user's input (a missing file, an unknown model name, a bad option) rather than by a bug.
/// The message names the problem and the fix in one line; the CLI prints it without a stack trace.
/// </summary>
public sealed class ResNetSharpException(string message, Exception? inner = null) : Exception(message, inner);
