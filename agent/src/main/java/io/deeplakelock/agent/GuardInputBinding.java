package io.deeplakelock.agent;

import io.deeplakelock.rules.CallInput;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.implementation.bytecode.constant.NullConstant;

/**
 * Binds {@link GuardInput} to what a rule reads ({@link CallInput}): {@code @Advice.Argument(n)},
 * {@code @Advice.This} (null in a static method) or a null constant. Primitive arguments are boxed,
 * as {@code @Advice.AllArguments} boxes them.
 */
final class GuardInputBinding implements Advice.OffsetMapping.Factory<GuardInput> {

  private final CallInput input;

  GuardInputBinding(CallInput input) {
    if (input.kind() == CallInput.Kind.ALL) {
      throw new IllegalArgumentException("a rule that reads every argument uses GuardAdvice");
    }
    this.input = input;
  }

  /**
   * True when {@code method} has what {@code input} reads; otherwise it takes {@link GuardAdvice}.
   */
  static boolean fits(CallInput input, MethodDescription method) {
    switch (input.kind()) {
      case NONE:
      case THIS:
        return true;
      case ARGUMENT:
        // A missing argument fails at the call with "out of range", as GuardAdvice reports it.
        return input.index() < method.getParameters().size();
      default:
        return false;
    }
  }

  @Override
  public Class<GuardInput> getAnnotationType() {
    return GuardInput.class;
  }

  @Override
  public Advice.OffsetMapping make(
      ParameterDescription.InDefinedShape target,
      AnnotationDescription.Loadable<GuardInput> annotation,
      AdviceType adviceType) {
    switch (input.kind()) {
      case ARGUMENT:
        return new Advice.OffsetMapping.ForArgument.Unresolved(
            target.getType(), true, Assigner.Typing.DYNAMIC, input.index());
      case THIS:
        return new Advice.OffsetMapping.ForThisReference(
            target.getType(), true, Assigner.Typing.DYNAMIC, true);
      default:
        return new Advice.OffsetMapping.ForStackManipulation(
            NullConstant.INSTANCE, target.getType(), target.getType(), Assigner.Typing.STATIC);
    }
  }
}
