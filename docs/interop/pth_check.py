# Cross-check against real PyTorch: a torchvision resnet18 saved by torch.save, its logits on one 224x224 PNG
# (ToTensor + Normalize, no resampling), and torch.load of the .pth that ResNetSharp writes.
import sys, json, torch, torchvision, numpy as np
from PIL import Image
mode = sys.argv[1]
if mode == "make":
    torch.manual_seed(0)
    m = torchvision.models.resnet18(weights=None).eval()
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5); mod.running_var.uniform_(0.5, 2.0)
            mod.weight.data.uniform_(0.5, 1.5); mod.bias.data.uniform_(-0.2, 0.2)
    torch.save(m.state_dict(), "/tmp/r18.pth")
    Image.fromarray((np.random.default_rng(0).random((224, 224, 3)) * 255).astype(np.uint8)).save("/tmp/img.png")
    x = torchvision.transforms.functional.to_tensor(Image.open("/tmp/img.png").convert("RGB"))
    x = torchvision.transforms.functional.normalize(x, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).unsqueeze(0)
    with torch.no_grad(): y = m(x)[0].double()
    p = y.softmax(0); top = p.topk(5)
    print("pytorch top5:", json.dumps([{"index": int(i), "logit": float(y[i]), "prob": float(p[i])} for i in top.indices]))
else:
    a = torch.load("/tmp/r18.pth"); b = torch.load("/tmp/ours.pth")  # weights_only=True: the restricted unpickler
    same = set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a)
    print("torch.load of ResNetSharp's .pth:", len(b), "tensors; identical to the original:", same)
