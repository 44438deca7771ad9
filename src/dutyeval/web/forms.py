from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update(placeholder=_("请输入用户名"), autocomplete="username")
        self.fields["password"].widget.attrs.update(placeholder=_("请输入密码"))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CycleForm(forms.Form):
    """An office opens a cycle. Every error is in Chinese next to its field; nothing is saved until valid."""

    name = forms.CharField(label=_("评价名称"), max_length=200)
    scheme = forms.ModelChoiceField(label=_("评价方案"), queryset=None, empty_label=_("— 请选择 —"))
    year = forms.IntegerField(label=_("评价年度"), min_value=2000, max_value=2100)
    data_year = forms.IntegerField(label=_("数据年度"), min_value=2000, max_value=2100,
                                   help_text=_("学年数据的年度，一般为评价年度的上一年"))
    level = forms.ChoiceField(label=_("被评价层级"), choices=[("county", _("县（市、区）")), ("city", _("设区市"))])
    late_policy = forms.ChoiceField(label=_("逾期提交"), choices=[])
    excluded = forms.MultipleChoiceField(label=_("不参评区域"), required=False, choices=[],
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, root, areas: dict[str, str], **kwargs):
        from dutyeval.evaluation.models import Cycle, CycleStage
        from dutyeval.regions.models import Region
        from dutyeval.schemes.models import Scheme

        super().__init__(*args, **kwargs)
        self.root, self.areas = root, areas
        self.fields["scheme"].queryset = Scheme.objects.order_by("code", "-version")
        self.fields["late_policy"].choices = Cycle.LatePolicy.choices
        regions = Region.objects.filter(code__startswith=root.prefix, level__in=["city", "county"]).order_by("code")
        self.fields["excluded"].choices = [(r.code, f"{r.name}（{r.code}）") for r in regions]
        for key, label in areas.items():
            self.fields[f"area_{key}"] = forms.ChoiceField(
                label=label, choices=[("0", _("数据年度")), ("-1", _("数据年度的上一年"))], initial="0",
                help_text=_("财政经费一般取上一年决算数"),
            )
        self.stage_kinds = list(CycleStage.Kind.choices)
        for kind, label in self.stage_kinds:
            required = kind == CycleStage.Kind.SELF_EVALUATION
            self.fields[f"{kind}_starts"] = forms.DateField(label=label, required=required,
                                                            widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"{kind}_ends"] = forms.DateField(label=label, required=required,
                                                          widget=forms.DateInput(attrs={"type": "date"}))

    def stage_rows(self):
        return [(label, self[f"{kind}_starts"], self[f"{kind}_ends"]) for kind, label in self.stage_kinds]

    def area_rows(self):
        return [self[f"area_{key}"] for key in self.areas]

    def clean(self):
        data = super().clean()
        scheme, level = data.get("scheme"), data.get("level")
        names = dict(self.fields["level"].choices)
        if scheme is not None and level and scheme.level != level:
            self.add_error("scheme", _("该方案的评价对象是“%(s)s”，与被评价层级“%(l)s”不一致")
                           % {"s": names.get(scheme.level, scheme.level), "l": names.get(level, level)})
        if level == "city" and self.root.level != "province":
            self.add_error("level", _("设区市只能由省级督导办评价"))
        city_review = data.get("city_review_starts") or data.get("city_review_ends")
        if city_review and (level != "county" or self.root.level != "province"):
            self.add_error("city_review_starts", _("“设区市复核”只用于省级组织的县级评价：各县先报所在设区市复核，再报省级"))
        if data.get("year") and data.get("data_year") and data["data_year"] > data["year"]:
            self.add_error("data_year", _("数据年度不能晚于评价年度"))
        previous_end = None
        for kind, label in self.stage_kinds:
            starts, ends = data.get(f"{kind}_starts"), data.get(f"{kind}_ends")
            if bool(starts) != bool(ends):
                self.add_error(f"{kind}_ends", _("“%(l)s”须同时填写开始和截止日期") % {"l": label})
            elif starts and ends and ends < starts:
                self.add_error(f"{kind}_ends", _("“%(l)s”的截止日期早于开始日期") % {"l": label})
            elif starts and previous_end and starts < previous_end[0] and kind != "rectification":
                self.add_error(f"{kind}_starts", _("“%(l)s”不能早于“%(p)s”开始") % {"l": label, "p": previous_end[1]})
            if starts and ends:
                previous_end = (starts, label)
        if level and data.get("excluded") is not None:
            from dutyeval.evaluation.cycles import evaluated_regions

            if not evaluated_regions(self.root, level, data["excluded"]).exists():
                self.add_error("excluded", _("排除后没有被评价的区域"))
        return data

    def to_draft(self):
        from dutyeval.evaluation.cycles import CycleDraft

        d = self.cleaned_data
        stages = {kind: (d[f"{kind}_starts"], d[f"{kind}_ends"]) for kind, _label in self.stage_kinds
                  if d.get(f"{kind}_starts") and d.get(f"{kind}_ends")}
        return CycleDraft(
            name=d["name"], scheme=d["scheme"], year=d["year"], data_year=d["data_year"], level=d["level"],
            late_policy=d["late_policy"], excluded=list(d["excluded"]), stages=stages,
            area_years={k: d["data_year"] + int(d[f"area_{k}"]) for k in self.areas},
        )

    @classmethod
    def initial_for(cls, cycle) -> dict:
        initial = {"name": cycle.name, "scheme": cycle.scheme_id, "year": cycle.year, "data_year": cycle.data_year,
                   "level": cycle.level, "late_policy": cycle.late_policy, "excluded": cycle.excluded}
        from dutyeval.core.catalogue import default_catalogue

        for e in default_catalogue().elements:
            initial.setdefault(f"area_{e.area}", str(cycle.year_of(e.code) - cycle.data_year))
        for st in cycle.stages.all():
            initial[f"{st.kind}_starts"], initial[f"{st.kind}_ends"] = st.starts, st.ends
        return initial
