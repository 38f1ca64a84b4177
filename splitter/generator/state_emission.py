"""Linking workflow steps into states: `Next`, Catchers, the ends of loop iterations.

States come out in execution order, the branches of a Choice before the state they join at.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from splitter.generator.asl import (
    ALL_ERRORS,
    APPENDED_PATH,
    ASSIGNED_PATH,
    ERROR_PATH,
    Catcher,
    ChoiceState,
    Constant,
    FailState,
    Intrinsic,
    LambdaTask,
    MapState,
    ObjectTemplate,
    PassState,
    Path,
    State,
    Template,
    path_key,
)
from splitter.generator.workflow_steps import (
    AssignStepIR,
    Block,
    ChoiceStepIR,
    ContinueStepIR,
    GlueStepIR,
    MapStepIR,
    RaiseStepIR,
    ReturnStepIR,
    Step,
    TaskStepIR,
    TryStepIR,
)

_PAYLOAD = Path("$.Payload")
_VALUE_OF_PAYLOAD = ObjectTemplate((("value", _PAYLOAD),))


@dataclass(frozen=True)
class Frame:
    """What surrounds a step: the Catchers of enclosing `try` bodies (innermost first), the
    end of the loop iteration, and which document fields a Store state must carry over."""

    catchers: tuple[Catcher, ...] = ()
    continue_to: str = ""
    in_handler: bool = False
    in_iteration: bool = False


class StateEmitter:
    """Emits the states of blocks into ordered lists, one per state-machine level."""

    def __init__(self, owner: str) -> None:
        self.owner = owner

    def block(self, block: Block, after: str, frame: Frame, out: list[tuple[str, State]]) -> None:
        for index, step in enumerate(block):
            self.step(step, self.entry(block[index + 1 :], after, frame), frame, out)

    def entry(self, block: Block, after: str, frame: Frame) -> str:
        """The first state `block` runs, `after` when it runs none."""
        if not block:
            return after
        step = block[0]
        if isinstance(step, TryStepIR):
            return self.entry(step.body, self.entry(block[1:], after, frame), frame)
        if isinstance(step, ContinueStepIR):
            return frame.continue_to
        return step.name

    def step(self, step: Step, after: str, frame: Frame, out: list[tuple[str, State]]) -> None:
        if isinstance(step, TaskStepIR):
            out.append((step.name, self._task(step, after, frame)))
        elif isinstance(step, GlueStepIR):
            self._glue(step, after, frame, out)
        elif isinstance(step, AssignStepIR):
            out.append((step.name, _assign(step, after)))
        elif isinstance(step, ChoiceStepIR):
            self._choice(step, after, frame, out)
        elif isinstance(step, MapStepIR):
            self._map(step, after, frame, out)
        elif isinstance(step, TryStepIR):
            self._try(step, after, frame, out)
        elif isinstance(step, RaiseStepIR):
            out.append((step.name, _raise(step, frame)))
        elif isinstance(step, ReturnStepIR):
            out.append((step.name, _return(step)))

    def _task(self, step: TaskStepIR, after: str, frame: Frame) -> LambdaTask:
        selector = _VALUE_OF_PAYLOAD if step.result_path is not None else None
        return LambdaTask(
            comment=step.comment,
            service=step.service,
            operation=step.operation,
            arguments=step.arguments,
            result_selector=selector,
            result_path=step.result_path,
            catchers=frame.catchers,
            next=after,
        )

    def _glue(
        self, step: GlueStepIR, after: str, frame: Frame, out: list[tuple[str, State]]
    ) -> None:
        variables = ObjectTemplate(step.parameters)
        if len(step.assigns) == 1:
            name = step.assigns[0]
            selector: ObjectTemplate | None = ObjectTemplate((("value", _PAYLOAD.key(name)),))
            result_path: str | None = "$.vars" + path_key(name)
        elif step.assigns:
            selector = ObjectTemplate(
                tuple(
                    (name, ObjectTemplate((("value", _PAYLOAD.key(name)),)))
                    for name in step.assigns
                )
            )
            result_path = ASSIGNED_PATH
        else:
            selector, result_path = None, None
        task = LambdaTask(
            comment=step.comment,
            service=self.owner,
            operation=step.function,
            arguments=ObjectTemplate((("variables", variables),)),
            result_selector=selector,
            result_path=result_path,
            catchers=frame.catchers,
            next=step.store or after,
        )
        out.append((step.name, task))
        if step.store:
            out.append((step.store, _store(step.assigns, after, frame)))

    def _choice(
        self, step: ChoiceStepIR, after: str, frame: Frame, out: list[tuple[str, State]]
    ) -> None:
        choices = tuple((rule, self.entry(block, after, frame)) for rule, block in step.branches)
        default = self.entry(step.default, after, frame)
        out.append((step.name, ChoiceState(step.comment, choices, default)))
        for _, block in step.branches:
            self.block(block, after, frame, out)
        self.block(step.default, after, frame, out)

    def _map(self, step: MapStepIR, after: str, frame: Frame, out: list[tuple[str, State]]) -> None:
        inner_frame = Frame(continue_to=step.end, in_iteration=bool(step.collected))
        inner: list[tuple[str, State]] = []
        self.block(step.body, step.end, inner_frame, inner)
        output = APPENDED_PATH if step.collected else None
        inner.append((step.end, PassState("End of the iteration.", None, output_path=output)))
        selector, result_path = _collected_result(step.collected)
        state = MapState(
            comment=step.comment,
            items_path=step.items_path,
            item_selector=_item_selector(step),
            start_at=self.entry(step.body, step.end, inner_frame),
            states=tuple(inner),
            result_selector=selector,
            result_path=result_path,
            catchers=frame.catchers,
            next=step.gather or step.store or after,
        )
        out.append((step.name, state))
        if step.gather:
            out.append((step.gather, _gather(step.collected, step.store or after)))
        if step.store:
            out.append((step.store, _store(step.collected, after, frame)))

    def _try(self, step: TryStepIR, after: str, frame: Frame, out: list[tuple[str, State]]) -> None:
        targets = [self.entry(handler.body, after, frame) for handler in step.handlers]
        own = tuple(
            Catcher(h.errors, target) for h, target in zip(step.handlers, targets, strict=True)
        )
        body_frame = replace(frame, catchers=_combined(own, frame.catchers))
        self.block(step.body, self.entry(step.orelse, after, frame), body_frame, out)
        self.block(step.orelse, after, frame, out)
        handler_frame = replace(frame, in_handler=True)
        for handler in step.handlers:
            self.block(handler.body, after, handler_frame, out)


def _combined(inner: tuple[Catcher, ...], outer: tuple[Catcher, ...]) -> tuple[Catcher, ...]:
    """Inner Catchers first; none may follow one catching everything."""
    combined: list[Catcher] = []
    for catcher in (*inner, *outer):
        combined.append(catcher)
        if ALL_ERRORS in catcher.errors:
            break
    return tuple(combined)


def _assign(step: AssignStepIR, after: str) -> PassState:
    if isinstance(step.template, Constant):
        result = Constant({"value": step.template.value})
        return PassState(step.comment, after, result=result, result_path=step.target)
    parameters = ObjectTemplate((("value", step.template),))
    return PassState(step.comment, after, parameters=parameters, result_path=step.target)


def _store(names: tuple[str, ...], after: str, frame: Frame) -> PassState:
    fields: list[tuple[str, Template]] = [
        ("input", Path("$.input")),
        ("vars", Intrinsic(f"States.JsonMerge($.vars, {ASSIGNED_PATH}, false)")),
    ]
    if frame.in_handler:
        fields.append(("error", Path(ERROR_PATH)))
    if frame.in_iteration:
        fields.append(("appended", Path(APPENDED_PATH)))
    comment = f"Keeps {', '.join(names)} among the variables."
    return PassState(comment, after, parameters=ObjectTemplate(tuple(fields)))


def _collected_result(collected: tuple[str, ...]) -> tuple[ObjectTemplate | None, str | None]:
    """Each list's appended items, still wrapped, from the iterations that appended one.

    `$[*].<list>` ends at a field of each array element, which every JSONPath engine returns
    as an array however many elements match; `$[*].<list>.value` would not (a single match
    comes back as the item itself in some), so the wrappers are taken off by `_gather`.
    """

    def wrapped(name: str) -> ObjectTemplate:
        return ObjectTemplate((("value", Path(f"$[*]{path_key(name)}", definite=False)),))

    if not collected:
        return None, None
    if len(collected) == 1:
        return wrapped(collected[0]), "$.vars" + path_key(collected[0])
    return ObjectTemplate(tuple((name, wrapped(name)) for name in collected)), ASSIGNED_PATH


def _gather(collected: tuple[str, ...], after: str) -> PassState:
    """The items of each collected list out of their `{"value": ...}` wrappers, in order."""

    def unwrapped(base: str, name: str) -> ObjectTemplate:
        path = Path(f"{base}{path_key(name)}.value[*].value", definite=False)
        return ObjectTemplate((("value", path),))

    comment = f"Takes the items of {', '.join(collected)} out of their wrappers."
    if len(collected) == 1:
        name = collected[0]
        target = "$.vars" + path_key(name)
        return PassState(comment, after, parameters=unwrapped("$.vars", name), result_path=target)
    fields = tuple((name, unwrapped(ASSIGNED_PATH, name)) for name in collected)
    return PassState(comment, after, parameters=ObjectTemplate(fields), result_path=ASSIGNED_PATH)


def _item_selector(step: MapStepIR) -> ObjectTemplate:
    item = ObjectTemplate((("value", Path("$$.Map.Item.Value")),))
    outer = tuple((name, Path("$.vars" + path_key(name))) for name in step.outer_variables)
    variables = ObjectTemplate(((step.loop_variable, item), *outer))
    fields: list[tuple[str, Template]] = [("input", Path("$.input")), ("vars", variables)]
    if step.collected:
        fields.append(("appended", Constant({})))
    return ObjectTemplate(tuple(fields))


def _raise(step: RaiseStepIR, frame: Frame) -> State:
    if step.error is None:
        return FailState(
            step.comment, error_path=f"{ERROR_PATH}.Error", cause_path=f"{ERROR_PATH}.Cause"
        )
    handler = next(
        (c.next for c in frame.catchers if step.error in c.errors or ALL_ERRORS in c.errors), None
    )
    if handler is None:
        return FailState(
            step.comment, error=step.error, cause=step.cause, cause_path=step.cause_path
        )
    cause: Template = Constant(step.cause or "")
    if step.cause_path is not None:
        cause = (
            Path(step.cause_path) if step.cause_path.startswith("$") else Intrinsic(step.cause_path)
        )
    error = ObjectTemplate((("Error", Constant(step.error)), ("Cause", cause)))
    return PassState(step.comment, handler, parameters=error, result_path=ERROR_PATH)


def _return(step: ReturnStepIR) -> PassState:
    template = step.template
    if template is None or isinstance(template, Constant):
        return PassState(step.comment, None, result=template or Constant(None))
    if isinstance(template, Path) and template.definite:
        return PassState(step.comment, None, output_path=template.path)
    if isinstance(template, Path | Intrinsic):
        value = ObjectTemplate((("value", template),))
        return PassState(step.comment, None, parameters=value, output_path="$.value")
    return PassState(step.comment, None, parameters=template)
