"""The works the page cites, one record each: the References list at the page's foot is drawn from WORKS, and
tests/test_references.py checks that every citation the catalogues make ("He et al. 2015", "Hanin 与 Rolnick
2018") names one of them and that each of them is cited.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import t


@dataclass(frozen=True)
class Work:
    """One cited work: its authors' surnames in the paper's order (as the text cites them: "van Laarhoven"), the
    year the text gives, the title, where it appeared, and a stable address (arXiv's where there is one)."""

    authors: tuple[str, ...]
    year: int
    title: str
    venue: str
    url: str


WORKS = (  # by year, then first author: the order of the list on the page
    Work(("Glorot", "Bengio"), 2010, "Understanding the difficulty of training deep feedforward neural networks",
         "AISTATS", "https://proceedings.mlr.press/v9/glorot10a.html"),
    Work(("Haagerup", "Möller"), 2012, "The law of large numbers for the free multiplicative convolution", "arXiv",
         "https://arxiv.org/abs/1211.4457"),
    Work(("Saxe", "McClelland", "Ganguli"), 2014,
         "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks", "ICLR",
         "https://arxiv.org/abs/1312.6120"),
    Work(("He", "Zhang", "Ren", "Sun"), 2015,
         "Delving deep into rectifiers: surpassing human-level performance on ImageNet classification", "ICCV",
         "https://arxiv.org/abs/1502.01852"),
    Work(("Ioffe", "Szegedy"), 2015,
         "Batch normalization: accelerating deep network training by reducing internal covariate shift", "ICML",
         "https://arxiv.org/abs/1502.03167"),
    Work(("Ba", "Kiros", "Hinton"), 2016, "Layer normalization", "arXiv", "https://arxiv.org/abs/1607.06450"),
    Work(("He", "Zhang", "Ren", "Sun"), 2016, "Identity mappings in deep residual networks", "ECCV",
         "https://arxiv.org/abs/1603.05027"),
    Work(("Poole", "Lahiri", "Raghu", "Sohl-Dickstein", "Ganguli"), 2016,
         "Exponential expressivity in deep neural networks through transient chaos", "NeurIPS",
         "https://arxiv.org/abs/1606.05340"),
    Work(("Klambauer", "Unterthiner", "Mayr", "Hochreiter"), 2017, "Self-normalizing neural networks", "NeurIPS",
         "https://arxiv.org/abs/1706.02515"),
    Work(("Pennington", "Schoenholz", "Ganguli"), 2017,
         "Resurrecting the sigmoid in deep learning through dynamical isometry: theory and practice", "NeurIPS",
         "https://arxiv.org/abs/1711.04735"),
    Work(("Schoenholz", "Gilmer", "Ganguli", "Sohl-Dickstein"), 2017, "Deep information propagation", "ICLR",
         "https://arxiv.org/abs/1611.01232"),
    Work(("van Laarhoven",), 2017, "L2 regularization versus batch and weight normalization", "arXiv",
         "https://arxiv.org/abs/1706.05350"),
    Work(("Hanin", "Rolnick"), 2018, "How to start training: the effect of initialization and architecture",
         "NeurIPS", "https://arxiv.org/abs/1803.01719"),
    Work(("Arora", "Li", "Lyu"), 2019, "Theoretical analysis of auto rate-tuning by batch normalization", "ICLR",
         "https://arxiv.org/abs/1812.03981"),
    Work(("Lu", "Shin", "Su", "Karniadakis"), 2019, "Dying ReLU and initialization: theory and numerical examples",
         "arXiv", "https://arxiv.org/abs/1903.06733"),
    Work(("Radford", "Wu", "Child", "Luan", "Amodei", "Sutskever"), 2019,
         "Language models are unsupervised multitask learners", "OpenAI",
         "https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf"),
    Work(("Yang", "Pennington", "Rao", "Sohl-Dickstein", "Schoenholz"), 2019,
         "A mean field theory of batch normalization", "ICLR", "https://arxiv.org/abs/1902.08129"),
    Work(("Zhang", "Dauphin", "Ma"), 2019, "Fixup initialization: residual learning without normalization", "ICLR",
         "https://arxiv.org/abs/1901.09321"),
    Work(("Bachlechner", "Majumder", "Mao", "Cottrell", "McAuley"), 2020,
         "ReZero is all you need: fast convergence at large depth", "arXiv", "https://arxiv.org/abs/2003.04887"),
    Work(("De", "Smith"), 2020, "Batch normalization biases residual blocks towards the identity function in deep "
         "networks", "NeurIPS", "https://arxiv.org/abs/2002.10444"),
    Work(("Xiong", "Yang", "He", "Zheng", "Zheng", "Xing", "Zhang", "Lan", "Wang", "Liu"), 2020,
         "On layer normalization in the Transformer architecture", "ICML", "https://arxiv.org/abs/2002.04745"),
)


@dataclass(frozen=True)
class Notes:
    """Course notes the page draws on (not a paper, so the text names them, not their authors): the course, the
    page's title, its address, and the catalogue key of what the page takes from them."""

    course: str
    title: str
    url: str
    about: str


NOTES = (
    Notes("CS231n", "Neural Networks Part 2: Setting up the Data and the Loss",
          "https://cs231n.github.io/neural-networks-2/#init", "reference_notes_init"),
    Notes("CS231n", "Neural Networks Part 3: Learning and Evaluation", "https://cs231n.github.io/neural-networks-3/",
          "reference_notes_updates"),
)


def short(work: Work, lang: str) -> str:
    """How the text cites it: "Glorot & Bengio", "He et al." (three or more authors), in the page's language."""
    if len(work.authors) == 1:
        return work.authors[0]
    if len(work.authors) == 2:
        return t(lang, "cite_two", first=work.authors[0], second=work.authors[1])
    return t(lang, "cite_many", first=work.authors[0])


def entry(work: Work, lang: str) -> str:
    """One line of the list, Markdown: "Glorot & Bengio (2010), [*Understanding ...*](url), AISTATS"."""
    return t(lang, "reference_entry", cite=short(work, lang), year=str(work.year), title=work.title, url=work.url,
             venue=work.venue)


def markdown(lang: str) -> str:
    """The whole list, the course notes first: a Markdown bullet list."""
    lines = [t(lang, "reference_notes", course=n.course, title=n.title, url=n.url, about=t(lang, n.about))
             for n in NOTES]
    lines += [entry(w, lang) for w in WORKS]
    return "\n".join(f"- {line}" for line in lines)
